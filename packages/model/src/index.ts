// Public API of @spinettai/model: GPT-2 as an ONNX graph, its config and weights,
// and text generation on an injected onnxruntime. Everything here runs in a browser
// as well as in Node; files, checkpoints, export and the onnxruntime-node defaults
// are in `@spinettai/model/node`.

export { CheckpointError } from './checkpoint/errors.js';
export type { GPTConfig, HfGpt2Config } from './config.js';
export { ConfigError, DEFAULT_GPT_CONFIG, fromHfConfig, toHfConfig, validateConfig } from './config.js';
export type { ModelErrorWhere } from './errors.js';
export { ModelError } from './errors.js';
export { ExportError } from './export/errors.js';
export type { ModelDType, QuantizeDType, QuantizeGraphOptions } from './export/quantize.js';
export {
  checkModelDType,
  MODEL_DTYPES,
  MODEL_FILE_FOR_DTYPE,
  parseQuantizeList,
  QUANTIZE_DTYPES,
  quantizeGraph,
} from './export/quantize.js';
export { artistsOf } from './generate/artists.js';
export type { BatchLoopOptions, BatchRow } from './generate/batchLoop.js';
export { decodeBatch } from './generate/batchLoop.js';
export type { GenerateBatchOptions } from './generate/batchText.js';
export type { DecoderDims } from './generate/decoder.js';
export { KvDecoder } from './generate/decoder.js';
export { GenerationError, InvalidOptionError } from './generate/errors.js';
export type {
  GenerateIdsOptions,
  GenerateOptions,
  ResolvedSampling,
  SamplingOptions,
} from './generate/options.js';
export { DEFAULT_SAMPLING, resolveSampling } from './generate/options.js';
export type {
  DecoderSessionOptions,
  OrtModule,
  OrtSession,
  OrtSessionOptions,
  OrtTensor,
} from './generate/ort.js';
export type { NextTokenConstraints } from './generate/sampling.js';
export {
  applyRepetitionPenalty,
  applyTopK,
  applyTopP,
  argmax,
  noRepeatNgramBans,
  pickNext,
  sampleNext,
  softmax,
} from './generate/sampling.js';
export type {
  GenerateIdsResult,
  StreamIdsOptions,
  TextGeneratorOptions,
} from './generate/textGenerator.js';
export { TextGenerator } from './generate/textGenerator.js';
export type { GenerateResult, GenerationTokenizer } from './generate/textStream.js';
export type { FinishReason, TokenLoopOptions } from './generate/tokenLoop.js';
export { decodeTokens } from './generate/tokenLoop.js';
export type { WindowLoss } from './generate/windowLoss.js';
export { lossWindows } from './generate/windowLoss.js';
export type { GptGraph, GptGraphOptions } from './gpt.js';
export { buildGptGraph } from './gpt.js';
export { buildKvCacheGraph, pastName, presentName } from './kvGraph.js';
export type { FloatDType } from './layers.js';
export { reseedDropout } from './layers.js';
export type { LoraConfig, LoraOptions, LoraTarget } from './lora/config.js';
export { LORA_DEFAULTS, LORA_TARGETS, loraScale, resolveLora } from './lora/config.js';
export { initLora, loraModulePrefix, loraShapes, mergeLora } from './lora/params.js';
export type { WordRunIndex } from './lyrics/copyGuard.js';
export { CopyGuard, DEFAULT_MAX_COPY_WORDS, LyricsIndex } from './lyrics/copyGuard.js';
export type { CopyStats, CopyStatsOptions } from './lyrics/copyStats.js';
export { copyStats } from './lyrics/copyStats.js';
export type { GuardTokenizer } from './lyrics/guardTokens.js';
export { guardTokens } from './lyrics/guardTokens.js';
export { HashedLyricsIndex } from './lyrics/hashedIndex.js';
export type { SampleCopyOptions } from './lyrics/sampleCopy.js';
export { DEFAULT_EVAL_SAMPLES, DEFAULT_EVAL_SEED, sampleCopyStats } from './lyrics/sampleCopy.js';
export { words } from './lyrics/words.js';
export type { Params } from './params.js';
export { countParams, initParams, paramShapes } from './params.js';
