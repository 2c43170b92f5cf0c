// Public API of @spinettai/model.

export { writeFileAtomic } from './checkpoint/atomic.js';
export { CheckpointError } from './checkpoint/errors.js';
export type { LoadedCheckpoint, SaveCheckpointOptions } from './checkpoint/hfFolder.js';
export { CHECKPOINT_FILES, loadCheckpoint, saveCheckpoint } from './checkpoint/hfFolder.js';
export type { SafetensorsContent } from './checkpoint/safetensors.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  writeSafetensorsFile,
} from './checkpoint/safetensors.js';
export type { GPTConfig, HfGpt2Config } from './config.js';
export { ConfigError, DEFAULT_GPT_CONFIG, fromHfConfig, toHfConfig, validateConfig } from './config.js';
export type { ExportOnnxOptions, ExportOnnxResult } from './export/exportOnnx.js';
export { exportOnnx } from './export/exportOnnx.js';
export type { WriteOnnxOptions } from './export/onnxFile.js';
export { PROTOBUF_SAFE_BYTES, writeOnnxFile } from './export/onnxFile.js';
export type { BenchGenerateOptions, BenchGenerateResult } from './generate/bench.js';
export { benchGenerate } from './generate/bench.js';
export type { DecoderDims, DecoderSessionOptions } from './generate/decoder.js';
export { KvDecoder } from './generate/decoder.js';
export { GenerationError, InvalidOptionError } from './generate/errors.js';
export type { GenerateIdsResult, GeneratorOptions, StreamIdsOptions } from './generate/generator.js';
export { Generator } from './generate/generator.js';
export { buildKvCacheGraph, KV_DIMS, pastName, presentName } from './generate/kvGraph.js';
export type {
  GenerateIdsOptions,
  GenerateOptions,
  ResolvedSampling,
  SamplingOptions,
} from './generate/options.js';
export { DEFAULT_MAX_NEW_TOKENS, resolveSampling } from './generate/options.js';
export {
  applyRepetitionPenalty,
  applyTopK,
  applyTopP,
  argmax,
  sampleNext,
  softmax,
} from './generate/sampling.js';
export { StopMatcher } from './generate/stopStrings.js';
export type { GenerateResult, GenerationTokenizer } from './generate/textStream.js';
export type { FinishReason, TokenLoopOptions } from './generate/tokenLoop.js';
export { cropPrompt, decodeTokens, slideKeep } from './generate/tokenLoop.js';
export type { GptGraph, GptGraphOptions } from './gpt.js';
export { buildGptGraph } from './gpt.js';
export type { AttentionOptions, FloatDType, KeyValue, LayerContext, LayerContextOptions } from './layers.js';
export {
  attention,
  block,
  createLayerContext,
  dropoutSeed,
  LOWEST,
  layerNorm,
  linear,
  lmHead,
  mlp,
  reseedDropout,
} from './layers.js';
export type { Params } from './params.js';
export { blockPrefix, countParams, initParams, paramShapes } from './params.js';
