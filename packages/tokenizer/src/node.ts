// Node-only API of @spinettai/tokenizer (`@spinettai/tokenizer/node`): tokenizer
// folders on disk, corpus files, dataset files (train.bin, val.bin, meta.json)
// and the whole tokenize step. The browser-safe API is in index.ts.

export {
  type DatasetMeta,
  type DatasetSplitMeta,
  type DatasetTokenizer,
  type DatasetTokenizerSource,
  META_JSON,
  type PrepareDatasetOptions,
  prepareDataset,
  readDatasetMeta,
  readDatasetTokens,
  verifyDatasetFolder,
} from './dataset.js';
export { readCorpus } from './node/corpusFile.js';
export {
  loadTokenizer,
  MERGES_TXT,
  readTokenizerSource,
  type TokenizerSource,
  VOCAB_JSON,
  writeTokenizerFiles,
} from './node/tokenizerFiles.js';
export { type TokenizeCorpusOptions, type TokenizeCorpusResult, tokenizeCorpus } from './tokenizeCorpus.js';
