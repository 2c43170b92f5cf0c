// Public API of @spinettai/tokenizer: byte-level BPE training, Hugging Face
// tokenizer files, encoding/decoding via @huggingface/tokenizers, corpus
// readers and dataset preparation.

export { type BpeModel, DEFAULT_SPECIAL_TOKENS, type TrainBpeOptions, trainBpe } from './bpeTrainer.js';
export { BYTE_TO_CHAR, byteLevelToBytes, bytesToByteLevel } from './byteLevel.js';
export {
  parseJsonCorpus,
  parseJsonlCorpus,
  parseTxtCorpus,
  readCorpus,
  type Song,
  songsWithLyrics,
  TXT_SONG_SEPARATOR,
} from './corpus.js';
export {
  type DatasetMeta,
  type DatasetSplitMeta,
  type DatasetTokenizer,
  META_JSON,
  type PrepareDatasetOptions,
  prepareDataset,
  readDatasetMeta,
  readDatasetTokens,
} from './dataset.js';
export type { StreamDecoder } from './decodeStream.js';
export {
  BpeConfigError,
  CorpusError,
  type CorpusErrorCode,
  DatasetError,
  TokenizerFileError,
  TokenizerInputError,
} from './errors.js';
export { GPT2_SPLIT_PATTERN, preTokenize } from './preTokenize.js';
export { type SongSplit, splitSongs } from './split.js';
export { type TokenizeCorpusOptions, type TokenizeCorpusResult, tokenizeCorpus } from './tokenizeCorpus.js';
export { type DecodeOptions, Tokenizer } from './tokenizer.js';
export {
  TOKENIZER_CONFIG_JSON,
  TOKENIZER_JSON,
  type TokenizerFilesOptions,
  tokenizerConfigText,
  tokenizerJsonText,
  writeTokenizerFiles,
} from './tokenizerJson.js';
export type { TextSource } from './wordCounts.js';
