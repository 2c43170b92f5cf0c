// Node-only API of @spinettai/model (`@spinettai/model/node`): checkpoint folders and
// safetensors files, ONNX export, atomic output folders, the generation benchmark and
// TextGenerator factories that read folders and default to onnxruntime-node. The
// browser-safe rest (graph, config, sampling, TextGenerator) is `@spinettai/model`.

export type { OutputKind } from './checkpoint/atomic.js';
export {
  checkReplaceable,
  MARKER_FILE,
  OutputFolderError,
  pidAlive,
  readMarker,
  recoverDir,
  replaceDirAtomic,
  writeFileAtomic,
  writeMarker,
} from './checkpoint/atomic.js';
export type { LoadedCheckpoint, SaveCheckpointOptions } from './checkpoint/hfFolder.js';
export { CHECKPOINT_FILES, loadCheckpoint, saveCheckpoint } from './checkpoint/hfFolder.js';
export type { FolderLock } from './checkpoint/lock.js';
export { lockFileOf, lockFolder } from './checkpoint/lock.js';
export type { CheckpointTokenizerFiles } from './checkpoint/readWeights.js';
export type {
  ReadSafetensorsOptions,
  SafetensorsContent,
  SafetensorsEntry,
  SafetensorsFile,
} from './checkpoint/safetensors.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  openSafetensorsFile,
  readSafetensorsFile,
  writeSafetensorsFile,
} from './checkpoint/safetensors.js';
export type { ExportOnnxOptions, ExportOnnxResult } from './export/exportOnnx.js';
export { exportOnnx } from './export/exportOnnx.js';
export type { WriteOnnxOptions } from './export/onnxFile.js';
export { extraOpsets, PROTOBUF_SAFE_BYTES, writeOnnxFile } from './export/onnxFile.js';
export { modelFileForDtype, writeQuantizedModels } from './export/quantizeFiles.js';
export type { BenchGenerateOptions, BenchGenerateResult } from './generate/bench.js';
export { benchGenerate } from './generate/bench.js';
export type {
  LoadTextGeneratorOptions,
  TextGeneratorFromParamsOptions,
} from './generate/loadTextGenerator.js';
export { loadTextGenerator, textGeneratorFromParams } from './generate/loadTextGenerator.js';
export type { LoadedAdapter, SaveAdapterOptions } from './lora/adapterFolder.js';
export { ADAPTER_FILES, isAdapterFolder, loadAdapter, saveAdapter } from './lora/adapterFolder.js';
export type { LoadedModelWeights, LoadModelWeightsOptions } from './lora/loadModel.js';
export { loadModelWeights, readAdapterBase, resolveAdapterBase } from './lora/loadModel.js';
export type { LyricsCorpus } from './lyrics/corpusFile.js';
export { loadLyricsCorpus } from './lyrics/corpusFile.js';
