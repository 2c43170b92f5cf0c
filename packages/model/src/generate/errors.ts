// Errors of generation: bad options, a model folder that does not fit, a session used
// after release. Messages say what to change.

import { ModelError } from '../errors.js';

/** Generation failed because of bad input (options, model, state). */
export class GenerationError extends ModelError {
  override readonly name: string = 'GenerationError';
}

/** A generation option is unknown or out of range; `option` names it as the API spells it. */
export class InvalidOptionError extends GenerationError {
  override readonly name: string = 'InvalidOptionError';
  declare readonly option: string;

  constructor(option: string, message: string) {
    super(`invalid option '${option}': ${message}`, { option });
  }
}
