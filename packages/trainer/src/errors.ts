// Typed errors of the trainer. Each message says what went wrong, where (file, flag,
// step) and what to do about it.

/** Base class of every error the trainer throws on purpose. */
export class TrainerError extends Error {
  override readonly name: string = 'TrainerError';
}

/** The dataset folder is missing files or they are malformed. */
export class DatasetError extends TrainerError {
  override readonly name = 'DatasetError';
}

/** A training option is invalid (names the option). */
export class TrainOptionsError extends TrainerError {
  override readonly name = 'TrainOptionsError';
}

/** A checkpoint cannot be resumed or loaded (different tokenizer, shape, or missing files). */
export class CheckpointMismatchError extends TrainerError {
  override readonly name = 'CheckpointMismatchError';
}

/** Loss or gradient norm became NaN/Inf; training stopped. The last good checkpoint is kept. */
export class NonFiniteLossError extends TrainerError {
  override readonly name = 'NonFiniteLossError';
  constructor(
    /** The 1-based optimizer step at which the non-finite value appeared. */
    readonly step: number,
    /** Which quantity was not finite. */
    readonly what: 'loss' | 'gradient norm',
    readonly value: number,
    lastCheckpoint: string | undefined,
  ) {
    super(
      `training diverged at step ${step}: ${what} is ${value}. ` +
        (lastCheckpoint
          ? `The last good checkpoint is kept at ${lastCheckpoint}. `
          : 'No checkpoint was written yet. ') +
        'Lower --lr, raise --warmup or set --grad-clip, then resume or restart.',
    );
  }
}
