// Typed errors of the trainer. Each message says what went wrong, where (file, option,
// step) and what to do about it. Messages name library options (`warmupSteps`), never CLI
// flags: the CLI translates option names to its flags. Problems with the dataset folder
// are the tokenizer package's `DatasetError` (it owns that format).

/** Base class of every error the trainer throws on purpose. */
export class TrainerError extends Error {
  override readonly name: string = 'TrainerError';
}

/** A training option is invalid (names the option). */
export class TrainOptionsError extends TrainerError {
  override readonly name = 'TrainOptionsError';
  constructor(
    message: string,
    /** The offending option, e.g. `model.nEmbd` or `stpes`. */
    readonly option?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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
        'Lower `lr`, raise `warmupSteps` or set `gradClip`, then resume or restart.',
    );
  }
}

/** The run folder (`outDir`) holds work this run must not write over; names it and the option to use. */
export class RunFolderError extends TrainerError {
  override readonly name = 'RunFolderError';
}
