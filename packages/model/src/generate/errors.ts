// Errors of generation and export: bad options, a checkpoint or export folder that
// does not fit, a session used after release. Messages say what to change.

/** Generation or export failed because of bad input (options, files, state). */
export class GenerationError extends Error {
  override readonly name: string = 'GenerationError';
}

/** A generation option is out of range; `option` names it as the API spells it. */
export class InvalidOptionError extends GenerationError {
  override readonly name = 'InvalidOptionError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`invalid option '${option}': ${message}`);
  }
}
