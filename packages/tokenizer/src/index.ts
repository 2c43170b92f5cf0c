// Public API of @spinettai/tokenizer (browser-safe): byte-level BPE training from
// in-memory texts, Hugging Face tokenizer.json building, encoding/decoding,
// corpus parsing and artist tokens. Files, corpus reading and dataset writing
// are in `@spinettai/tokenizer/node` (node.ts).

export { artistToken, artistTokenId, corpusArtists } from './artists.js';
export { type BpeModel, DEFAULT_SPECIAL_TOKENS, type TrainBpeOptions, trainBpe } from './bpeTrainer.js';
export { BYTE_TO_CHAR, byteLevelToBytes, bytesToByteLevel } from './byteLevel.js';
export {
  parseJsonCorpus,
  parseJsonlCorpus,
  parseTxtCorpus,
  type Song,
  songsWithLyrics,
  TXT_SONG_SEPARATOR,
} from './corpus.js';
export type { StreamDecoder } from './decodeStream.js';
export {
  BpeConfigError,
  CorpusError,
  type CorpusErrorCode,
  DatasetError,
  type ErrorWhere,
  TokenizerError,
  TokenizerFileError,
  TokenizerInputError,
} from './errors.js';
export { GPT2_SPLIT_PATTERN, preTokenize } from './preTokenize.js';
export type { ProgressCallback, TokenizeProgress } from './progress.js';
export { type SongSplit, splitSongs } from './split.js';
export { type DecodeOptions, Tokenizer, type TokenizerFileNames } from './tokenizer.js';
export {
  addSpecialTokens,
  type ExtendedTokenizerFiles,
  GPT2_EOS_TOKEN,
  gpt2TokenizerConfigText,
  tokenizerJsonFromVocabMerges,
} from './tokenizerEdit.js';
export {
  TOKENIZER_CONFIG_JSON,
  TOKENIZER_JSON,
  type TokenizerFilesOptions,
  tokenizerConfigText,
  tokenizerJsonText,
} from './tokenizerJson.js';
export type { TextSource } from './wordCounts.js';
