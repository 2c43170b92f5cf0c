// Node-only API of @spinettai/tokenizer (`@spinettai/tokenizer/node`): tokenizer
// folders on disk, corpus files, dataset files (train.bin, val.bin, meta.json),
// the whole tokenize step, and the durable-write / folder-swap / folder-lock
// conventions every spinettai output folder follows (node/outputFolder.ts; the model
// package builds its checkpoints and exports on them). The browser-safe API is in index.ts.

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
  type FolderLock,
  lockFileOf,
  lockFolder,
  MARKER_FILE,
  type OutputKind,
  pidAlive,
  readMarker,
  recoverDir,
  swapDirIn,
  syncDir,
  writeFileAtomic,
  writeFileSynced,
  writeMarker,
} from './node/outputFolder.js';
export {
  loadTokenizer,
  MERGES_TXT,
  readTokenizerSource,
  type TokenizerSource,
  VOCAB_JSON,
  writeTokenizerFiles,
} from './node/tokenizerFiles.js';
export { type TokenizeCorpusOptions, type TokenizeCorpusResult, tokenizeCorpus } from './tokenizeCorpus.js';
