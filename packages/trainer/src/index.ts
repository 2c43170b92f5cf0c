// Public API of @spinettai/trainer.

export type { BenchTrainOptions, BenchTrainResult } from './bench.js';
export { benchTrain, measurePeakFlops, summariseProfile } from './bench.js';
export type { CheckpointContents, LoadedTrainerCheckpoint, TrainerState } from './checkpoint.js';
export { readTrainerCheckpoint, recoverCheckpointFolder, writeCheckpoint } from './checkpoint.js';
export type { Batch, Dataset, DatasetMeta } from './data.js';
export { BatchSampler, evalBatches, loadDataset, windowsToBatch } from './data.js';
export {
  CheckpointMismatchError,
  DatasetError,
  NonFiniteLossError,
  TrainerError,
  TrainOptionsError,
} from './errors.js';
export { Evaluator } from './evaluate.js';
export type { MetricsRecord } from './metrics.js';
export { readMetrics } from './metrics.js';
export type { StepInfo, TrainHooks, TrainOptions, TrainSummary } from './options.js';
export { resolveOptions } from './options.js';
export { ParamStore } from './paramStore.js';
export type { LossPoint } from './plot.js';
export { lossCurveSvg } from './plot.js';
export type { ScheduleOptions } from './schedule.js';
export { learningRate } from './schedule.js';
export type { SessionOptions } from './sessions.js';
export { createSession } from './sessions.js';
export type { ModelIO, OptimizerMode, StepResult } from './step.js';
export { fusedGraph, gradientGraph, optimizerGraph, TrainStep } from './step.js';
export { deriveSeed, train } from './train.js';
