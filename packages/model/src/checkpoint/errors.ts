// Errors raised while reading or writing checkpoints and safetensors files. Each
// names the file and, where there is one, the tensor, so a bad checkpoint can be
// fixed or re-exported.

import { ModelError } from '../errors.js';

/** A checkpoint folder or safetensors file is missing, corrupt or does not match the config. */
export class CheckpointError extends ModelError {
  override readonly name: string = 'CheckpointError';
  /** The file at fault, when known. */
  readonly file: string | undefined;
  /** The tensor at fault, when there is one. */
  readonly tensor: string | undefined;

  constructor(message: string, where: { file?: string; tensor?: string; field?: string } = {}) {
    const parts = [
      where.file === undefined ? undefined : `${where.file}`,
      where.tensor === undefined ? undefined : `tensor '${where.tensor}'`,
    ];
    const prefix = parts.filter((p) => p !== undefined).join(', ');
    super(prefix === '' ? message : `${prefix}: ${message}`, { field: where.field });
    this.file = where.file;
    this.tensor = where.tensor;
  }
}
