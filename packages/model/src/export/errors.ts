// The error of ONNX export: a checkpoint that lacks what an export needs, or an
// output folder that may not be replaced. Messages name the file or folder.

import { ModelError, type ModelErrorWhere } from '../errors.js';

/** `exportOnnx` cannot export this checkpoint to this folder. */
export class ExportError extends ModelError {
  override readonly name: string = 'ExportError';
  /** The file or folder at fault, when there is one. */
  readonly path: string | undefined;

  constructor(message: string, where: ModelErrorWhere & { path?: string | undefined } = {}) {
    super(message, where);
    this.path = where.path;
  }
}
