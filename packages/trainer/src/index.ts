// Public API of @spinettai/trainer.

export type { BenchTrainOptions, BenchTrainResult } from './bench.js';
export { BENCH_TRAIN_DEFAULTS, benchTrain, measurePeakFlops, summariseProfile } from './bench.js';
export type { CheckpointContents, LoadedTrainerCheckpoint, TrainerState } from './checkpoint.js';
export { readTrainerCheckpoint, writeCheckpoint } from './checkpoint.js';
export type { Batch, Dataset } from './data.js';
export { BatchSampler, checkTokenizerFile, evalBatches, loadDataset, windowsToBatch } from './data.js';
export {
  CheckpointMismatchError,
  NonFiniteLossError,
  RunFolderError,
  TrainerError,
  TrainOptionsError,
} from './errors.js';
export { Evaluator } from './evaluate.js';
export type { GptTrainingOptions } from './gptTraining.js';
export { GPT_IO, GptTraining } from './gptTraining.js';
export type { MetricsRecord } from './metrics.js';
export { readMetrics } from './metrics.js';
export type { ModelShape, StepInfo, TrainHooks, TrainOptions, TrainSummary } from './options.js';
export { resolveOptions, TRAIN_DEFAULTS } from './options.js';
export { ParamStore } from './paramStore.js';
export type { LossPoint } from './plot.js';
export { lossCurveSvg } from './plot.js';
export { deriveSeed, RNG_STREAMS } from './rng.js';
export { TrainRun } from './run.js';
export type { RunFolder, RunFolderMode, RunPaths } from './runFolder.js';
export { openRunFolder, runPaths } from './runFolder.js';
export type { ScheduleOptions } from './schedule.js';
export { learningRate } from './schedule.js';
export type { SessionOptions } from './sessions.js';
export { createSession } from './sessions.js';
export type { ModelIO, OptimizerMode, StepResult } from './step.js';
export { fusedGraph, gradientGraph, optimizerGraph, TrainStep } from './step.js';
export { train } from './train.js';
export { MAX_STEPS, parseTrainerState, readTrainerState, TRAINER_STATE_JSON } from './trainerState.js';
