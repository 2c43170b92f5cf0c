// The base of every error @spinettai/model throws: `catch (e) { if (e instanceof
// ModelError) … }` catches config, checkpoint, generation and export errors alike.
// Each names what was wrong in its message; `.option` names the option of a call
// (as the API spells it, e.g. 'temperature') and `.field` the field of a config or
// file (e.g. 'nHead'), when there is one.

/** Where a ModelError points: the option of a call or the field of a config or file. */
export interface ModelErrorWhere {
  /** The option at fault, as the API spells it (`maxNewTokens`). */
  option?: string | undefined;
  /** The config or file field at fault (`nHead`). */
  field?: string | undefined;
}

/** Base class of every error thrown by @spinettai/model. */
export class ModelError extends Error {
  override readonly name: string = 'ModelError';
  /** The option at fault, as the API spells it, when there is one. */
  readonly option: string | undefined;
  /** The config or file field at fault, when there is one. */
  readonly field: string | undefined;

  constructor(message: string, where: ModelErrorWhere = {}) {
    super(message);
    this.option = where.option;
    this.field = where.field;
  }
}
