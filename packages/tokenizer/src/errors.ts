// Typed errors of @spinettai/tokenizer. Every one extends TokenizerError, so
// `instanceof TokenizerError` catches all of them. Each message says what was
// wrong, where (file, line, byte offset, option, field) and what to do, and names
// library options (`vocabSize`), never CLI flags, so the CLI can print it as is.

/** Where a {@link TokenizerError} applies; every field is optional. */
export interface ErrorWhere {
  /** The library option that was wrong, e.g. `vocabSize`. */
  option?: string | undefined;
  /** The file concerned. */
  file?: string | undefined;
  /** The field inside that file (or inside an option object), e.g. `eos_token`. */
  field?: string | undefined;
}

/** Base class of every error this package throws on purpose. */
export class TokenizerError extends Error {
  override readonly name: string = 'TokenizerError';
  /** The library option that was wrong, e.g. `vocabSize`. */
  readonly option: string | undefined;
  /** The file concerned. */
  readonly file: string | undefined;
  /** The field inside that file, e.g. `eos_token` or `splits.train`. */
  readonly field: string | undefined;
  constructor(message: string, where: ErrorWhere = {}) {
    super(message);
    this.option = where.option;
    this.file = where.file;
    this.field = where.field;
  }
}

/** Bad training options (vocabSize too small, duplicate special tokens, …). */
export class BpeConfigError extends TokenizerError {
  override readonly name = 'BpeConfigError';
  declare readonly option: string;
  constructor(option: string, message: string) {
    super(message, { option });
  }
}

/** What kind of corpus problem a {@link CorpusError} reports. */
export type CorpusErrorCode =
  | 'empty'
  | 'malformed-line'
  | 'malformed-file'
  | 'invalid-utf8'
  | 'unsupported-format'
  | 'too-few-songs'
  | 'unreadable';

/** A corpus file or song list that cannot be used. */
export class CorpusError extends TokenizerError {
  override readonly name = 'CorpusError';
  readonly code: CorpusErrorCode;
  /** 1-based line number (malformed JSONL line). */
  readonly line: number | undefined;
  /** 0-based byte offset of the first invalid byte (invalid UTF-8). */
  readonly byteOffset: number | undefined;
  constructor(
    code: CorpusErrorCode,
    message: string,
    where: ErrorWhere & { line?: number; byteOffset?: number } = {},
  ) {
    super(message, where);
    this.code = code;
    this.line = where.line;
    this.byteOffset = where.byteOffset;
  }
}

/** Tokenizer files that cannot be loaded (missing, invalid, or not byte-level BPE). */
export class TokenizerFileError extends TokenizerError {
  override readonly name = 'TokenizerFileError';
  declare readonly file: string;
  constructor(file: string, message: string, field?: string) {
    super(message, { file, field });
  }
}

/** Text or ids that the tokenizer cannot encode or decode. */
export class TokenizerInputError extends TokenizerError {
  override readonly name = 'TokenizerInputError';
}

/** A dataset folder or option that does not follow the dataset contract. */
export class DatasetError extends TokenizerError {
  override readonly name = 'DatasetError';
  /** The file or option concerned (`file ?? option`). */
  readonly where: string;
  /**
   * @param where a file path, or an option name when `kind` is 'option'.
   * @param field the field of that file (e.g. `splits.train`), when one is wrong.
   */
  constructor(where: string, message: string, kind: 'file' | 'option' = 'file', field?: string) {
    super(message, kind === 'file' ? { file: where, field } : { option: where, field });
    this.where = where;
  }
}
