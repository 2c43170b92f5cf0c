// Tokenizer: a GPT-2-style byte-level BPE loaded from the text of a Hugging Face
// tokenizer.json (+ tokenizer_config.json). Browser-safe: no Node imports; the
// folder loader sits in node/tokenizerFiles.ts (`@spinettai/tokenizer/node`).
//
// Rule for special tokens: `encode` treats its input as raw lyrics. Text such as
// "<|endoftext|>" inside a song is encoded as ordinary characters, never as the
// special id; special ids are only ever added by code (the dataset writer puts
// the end-of-text id before each song). So encode runs no added-token splitter:
// GPT-2 pre-tokenization (preTokenize.ts, whose regex matches the Rust/Python
// `tokenizers` also for U+0085 and U+FEFF), then BPE (bpeEncode.ts, Rust's merge
// order). Ids equal what Rust/Python `tokenizers` give with special tokens not
// split out; decode maps ids back to bytes (lossy UTF-8, as the ByteLevel decoder).

import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { bpeMerge, MAX_WORD_BYTES, type MergeTable } from './bpeEncode.js';
import { BYTE_TO_CHAR, byteLevelToBytes } from './byteLevel.js';
import { createStreamDecoder, type StreamDecoder, type TokenPiece } from './decodeStream.js';
import { TokenizerFileError, TokenizerInputError } from './errors.js';
import { rejectUnknownKeys } from './options.js';
import { preTokenize } from './preTokenize.js';
import { TOKENIZER_CONFIG_JSON, TOKENIZER_JSON, type TokenizerJsonFile } from './tokenizerJson.js';

/** Words kept in the encode cache before it is cleared. */
const WORD_CACHE_SIZE = 100_000;
/** Longer words are not cached (as Rust's BPE cache, MAX_LENGTH 256). */
const CACHED_WORD_LENGTH = 256;

/** Options of {@link Tokenizer.decode} and {@link Tokenizer.decodeStream}. */
export interface DecodeOptions {
  /** Leave special tokens (e.g. <|endoftext|>) out of the text. Default false. */
  skipSpecialTokens?: boolean | undefined;
}

/** File names used in error messages when a tokenizer is built from text. */
export interface TokenizerFileNames {
  /** Where tokenizer.json came from. Default `tokenizer.json`. */
  tokenizer?: string | undefined;
  /** Where tokenizer_config.json came from. Default `tokenizer_config.json`. */
  config?: string | undefined;
}

/** The parts of tokenizer_config.json that we read. */
export interface TokenizerConfigFile {
  eos_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
}

const tokenText = (t: string | { content: string } | null | undefined): string | undefined =>
  typeof t === 'string' ? t : (t?.content ?? undefined);

function checkSupported(file: string, json: TokenizerJsonFile): void {
  const pre = json?.pre_tokenizer;
  const model = json?.model;
  const ok =
    model?.type === 'BPE' &&
    typeof model.vocab === 'object' &&
    Array.isArray(model.merges) &&
    (model.dropout ?? null) === null &&
    !model.continuing_subword_prefix &&
    !model.end_of_word_suffix &&
    (json.normalizer ?? null) === null &&
    pre?.type === 'ByteLevel' &&
    pre.add_prefix_space === false &&
    pre.use_regex !== false &&
    json.decoder?.type === 'ByteLevel';
  if (!ok) {
    throw new TokenizerFileError(
      file,
      `${file} is not a GPT-2-style byte-level BPE tokenizer (model BPE without dropout or subword affixes, no normalizer, ByteLevel pre-tokenizer without prefix space, ByteLevel decoder). Use a GPT-2-family tokenizer or train one with tokenizeCorpus.`,
    );
  }
}

/** Builds the merge table; every merge's parts and result must be in the vocabulary. */
function mergeTable(
  file: string,
  json: TokenizerJsonFile,
  ids: ReadonlyMap<string, number>,
  base: number,
): MergeTable {
  const rank = new Map<number, number>();
  const merged = new Int32Array(json.model.merges.length);
  json.model.merges.forEach((m, k) => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    const [a, b] = pair;
    const left = a === undefined ? undefined : ids.get(a);
    const right = b === undefined ? undefined : ids.get(b);
    const result = a === undefined || b === undefined ? undefined : ids.get(a + b);
    if (pair.length !== 2 || left === undefined || right === undefined || result === undefined) {
      throw new TokenizerFileError(
        file,
        `${file}: merge #${k} ${JSON.stringify(m)} is not two vocabulary tokens whose concatenation is in the vocabulary.`,
        'model.merges',
      );
    }
    const key = left * base + right;
    if (!rank.has(key)) rank.set(key, k);
    merged[k] = result;
  });
  return { base, rank, merged };
}

/**
 * A loaded byte-level BPE tokenizer. It runs anywhere (browser included); load
 * one from a folder with `loadTokenizer` from `@spinettai/tokenizer/node`.
 * @example
 * const tok = Tokenizer.fromStrings(tokenizerJson, tokenizerConfigJson);
 * tok.decode(tok.encode('Mañana 🎸')); // 'Mañana 🎸'
 */
export class Tokenizer {
  /** Number of ids (largest id + 1), special tokens included. */
  readonly vocabSize: number;
  /** The end-of-text token (config `eos_token`, else `<|endoftext|>`); separates songs. */
  readonly eosToken: string;
  /** Id of the end-of-text token (document separator, BOS and EOS). */
  readonly eotTokenId: number;
  /** Id of the padding token (the EOT id if the config defines none). */
  readonly padTokenId: number;
  /** Hex SHA-256 of the tokenizer.json bytes; recorded in dataset meta.json. */
  readonly sha256: string;
  /** The added special tokens (tokenizer.json `added_tokens` with `special: true`), by id. */
  readonly specialTokens: ReadonlyMap<string, number>;

  /** Pre-token → ids; lyrics repeat words a lot, so most words skip BPE entirely. */
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();
  private readonly pieces: TokenPiece[];
  private readonly tokenIds: Map<string, number>;
  private readonly byteIds = new Int32Array(256);
  private readonly merges: MergeTable;
  private readonly ignoreMerges: boolean;

  private constructor(bytes: Uint8Array, configText: string | undefined, names: TokenizerFileNames) {
    const file = names.tokenizer ?? TOKENIZER_JSON;
    const configFile = names.config ?? TOKENIZER_CONFIG_JSON;
    let json: TokenizerJsonFile;
    let config: TokenizerConfigFile;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as TokenizerJsonFile;
    } catch (err) {
      throw new TokenizerFileError(file, `${file} is not valid UTF-8 JSON (${(err as Error).message}).`);
    }
    try {
      config = configText === undefined ? {} : ((JSON.parse(configText) ?? {}) as TokenizerConfigFile);
    } catch (err) {
      throw new TokenizerFileError(
        configFile,
        `${configFile} is not valid JSON (${(err as Error).message}).`,
      );
    }
    checkSupported(file, json);
    this.sha256 = bytesToHex(sha256(bytes));

    const added = new Map((json.added_tokens ?? []).map((t) => [t.id, t]));
    const entries: [string, number][] = [
      ...Object.entries(json.model.vocab),
      ...[...added].map(([id, t]) => [t.content, id] as [string, number]),
    ];
    this.tokenIds = new Map(entries);
    this.vocabSize = entries.reduce((max, [, id]) => Math.max(max, id), -1) + 1;
    this.specialTokens = new Map(
      [...added.values()].filter((t) => t.special).map((t) => [t.content, t.id] as [string, number]),
    );
    this.pieces = new Array<TokenPiece>(this.vocabSize);
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0)
        throw new TokenizerFileError(
          file,
          `${file}: token ${JSON.stringify(token)} has id ${id}.`,
          'model.vocab',
        );
      const special = added.get(id);
      if (special !== undefined) {
        this.pieces[id] = { special: special.content };
        continue;
      }
      const raw = byteLevelToBytes(token);
      if (raw === undefined)
        throw new TokenizerFileError(
          file,
          `${file}: vocab token ${JSON.stringify(token)} (id ${id}) is not byte-level.`,
          'model.vocab',
        );
      this.pieces[id] = raw;
    }
    const vocab = new Map(Object.entries(json.model.vocab));
    for (let b = 0; b < 256; b++) {
      const id = vocab.get(BYTE_TO_CHAR[b] as string);
      if (id === undefined)
        throw new TokenizerFileError(
          file,
          `${file}: the vocabulary lacks the byte token ${JSON.stringify(BYTE_TO_CHAR[b])} (byte ${b}); a byte-level BPE needs all 256.`,
          'model.vocab',
        );
      this.byteIds[b] = id;
    }
    this.merges = mergeTable(file, json, vocab, this.vocabSize);
    this.ignoreMerges = json.model.ignore_merges === true;

    const idOf = (name: string, token: string | undefined): number => {
      const id = token === undefined ? undefined : this.tokenIds.get(token);
      if (id === undefined)
        throw new TokenizerFileError(
          configFile,
          `${configFile}: ${name} ${JSON.stringify(token)} is not in the vocabulary.`,
          name,
        );
      return id;
    };
    this.eosToken = tokenText(config.eos_token) ?? '<|endoftext|>';
    this.eotTokenId = idOf('eos_token', this.eosToken);
    const pad = tokenText(config.pad_token);
    this.padTokenId = pad === undefined ? this.eotTokenId : idOf('pad_token', pad);
  }

  /**
   * Builds a tokenizer from the texts of tokenizer.json and tokenizer_config.json.
   * @throws TokenizerFileError when the JSON is invalid or not a byte-level BPE.
   */
  static fromStrings(
    tokenizerJson: string,
    tokenizerConfig?: string,
    names: TokenizerFileNames = {},
  ): Tokenizer {
    return new Tokenizer(new TextEncoder().encode(tokenizerJson), tokenizerConfig, names);
  }

  /**
   * Builds a tokenizer from the bytes of tokenizer.json (hashed as they are) and
   * the text of tokenizer_config.json.
   * @throws TokenizerFileError when the JSON is invalid or not a byte-level BPE.
   */
  static fromBytes(
    tokenizerJson: Uint8Array,
    tokenizerConfig?: string,
    names: TokenizerFileNames = {},
  ): Tokenizer {
    return new Tokenizer(tokenizerJson, tokenizerConfig, names);
  }

  /**
   * Encodes raw text to ids. Special-token strings in the text stay ordinary text.
   * @throws TokenizerInputError for a non-string or a string with lone surrogates.
   */
  encode(text: string): number[] {
    if (typeof text !== 'string')
      throw new TokenizerInputError(`encode: expected a string, got ${typeof text}.`);
    if (/\p{Cs}/u.test(text)) {
      throw new TokenizerInputError(
        'encode: the text contains a lone UTF-16 surrogate, which has no UTF-8 form; fix the input text.',
      );
    }
    const ids: number[] = [];
    for (const word of preTokenize(text)) {
      for (const id of this.cache.get(word) ?? this.encodeWord(word)) ids.push(id);
    }
    return ids;
  }

  /** BPE-encodes one pre-token and caches the ids of short words. */
  private encodeWord(word: string): number[] {
    const bytes = this.utf8.encode(word);
    let ids: number[] | undefined;
    if (this.ignoreMerges) {
      let chars = '';
      for (const b of bytes) chars += BYTE_TO_CHAR[b];
      const id = this.tokenIds.get(chars);
      if (id !== undefined && this.pieces[id] instanceof Uint8Array) ids = [id];
    }
    if (ids === undefined) {
      if (bytes.length > MAX_WORD_BYTES)
        throw new TokenizerInputError(
          `encode: one word of the text has ${bytes.length} bytes without a break; split texts longer than ${MAX_WORD_BYTES} bytes.`,
        );
      const symbols = new Int32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) symbols[i] = this.byteIds[bytes[i] as number] as number;
      ids = bpeMerge(symbols, this.merges);
    }
    if (word.length <= CACHED_WORD_LENGTH) {
      if (this.cache.size >= WORD_CACHE_SIZE) this.cache.clear();
      this.cache.set(word, ids);
    }
    return ids;
  }

  /** Encodes several texts. */
  encodeBatch(texts: readonly string[]): number[][] {
    return texts.map((t) => this.encode(t));
  }

  /**
   * Decodes ids to text. Bytes that are not valid UTF-8 become U+FFFD.
   * @throws TokenizerInputError for an id outside [0, vocabSize).
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const stream = this.decodeStream(options);
    let text = '';
    for (const id of ids) text += stream.push(id);
    return text + stream.flush();
  }

  /** A streaming decoder whose chunks never end inside a UTF-8 character. */
  decodeStream(options: DecodeOptions = {}): StreamDecoder {
    rejectUnknownKeys('decode', options, ['skipSpecialTokens']);
    return createStreamDecoder((id) => this.pieceOf(id), options.skipSpecialTokens ?? false);
  }

  /** The id of a token string (byte-level form, or a special token's text). */
  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  private pieceOf(id: number): TokenPiece {
    const piece = Number.isInteger(id) ? this.pieces[id] : undefined;
    if (piece === undefined)
      throw new TokenizerInputError(`decode: token id ${id} is not in [0, ${this.vocabSize}).`);
    return piece;
  }
}
