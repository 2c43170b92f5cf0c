// Typed errors of @spinettai/tokenizer. Each message says what was wrong, where
// (file, line, byte offset, option) and what to do, so the CLI can print it as is.

/** Bad training options (vocabSize too small, duplicate special tokens, …). */
export class BpeConfigError extends Error {
  override readonly name = 'BpeConfigError';
  /** The option that was wrong, e.g. `vocabSize`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.option = option;
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
export class CorpusError extends Error {
  override readonly name = 'CorpusError';
  readonly code: CorpusErrorCode;
  /** The file concerned, when the corpus came from a file. */
  readonly file: string | undefined;
  /** 1-based line number (malformed JSONL line). */
  readonly line: number | undefined;
  /** 0-based byte offset of the first invalid byte (invalid UTF-8). */
  readonly byteOffset: number | undefined;
  constructor(
    code: CorpusErrorCode,
    message: string,
    where: { file?: string | undefined; line?: number; byteOffset?: number } = {},
  ) {
    super(message);
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.byteOffset = where.byteOffset;
  }
}

/** A tokenizer folder that cannot be loaded (missing or invalid tokenizer.json). */
export class TokenizerFileError extends Error {
  override readonly name = 'TokenizerFileError';
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.file = file;
  }
}

/** Text or ids that the tokenizer cannot encode or decode. */
export class TokenizerInputError extends Error {
  override readonly name = 'TokenizerInputError';
}

/** A dataset folder or option that does not follow the dataset contract. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  /** The file or option concerned. */
  readonly where: string;
  constructor(where: string, message: string) {
    super(message);
    this.where = where;
  }
}
