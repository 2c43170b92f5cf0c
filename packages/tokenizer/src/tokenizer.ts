// Tokenizer: loads a Hugging Face tokenizer folder (tokenizer.json +
// tokenizer_config.json) and encodes/decodes through @huggingface/tokenizers.
//
// Rule for special tokens: `encode` treats its input as raw lyrics. Text such as
// "<|endoftext|>" inside a song is encoded as ordinary characters, never as the
// special id; special ids are only ever added by code (prepareDataset puts the
// <|endoftext|> id before each song). To get that, encode skips the library's
// added-token splitter and runs the two stages that follow it: GPT-2
// pre-tokenization and the library's BPE model. The pre-tokenizer is ours
// (preTokenize.ts) because the library's JavaScript regex treats U+0085 and
// U+FEFF differently from the Rust/Python `tokenizers`; ours matches Rust, so
// ids equal what Python `tokenizers` gives (with special tokens not split out).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { byteLevelToBytes, bytesToByteLevel } from './byteLevel.js';
import { createStreamDecoder, type StreamDecoder, type TokenPiece } from './decodeStream.js';
import { TokenizerFileError, TokenizerInputError } from './errors.js';
import { preTokenize } from './preTokenize.js';
import { TOKENIZER_CONFIG_JSON, TOKENIZER_JSON, type TokenizerJsonFile } from './tokenizerJson.js';

/** Words kept in the encode cache before it is cleared. */
const WORD_CACHE_SIZE = 100_000;

/** Options of {@link Tokenizer.decode} and {@link Tokenizer.decodeStream}. */
export interface DecodeOptions {
  /** Leave special tokens (e.g. <|endoftext|>) out of the text. Default false. */
  skipSpecialTokens?: boolean;
}

interface TokenizerConfigFile {
  eos_token?: string | { content: string };
  pad_token?: string | { content: string } | null;
}

const tokenText = (t: string | { content: string } | null | undefined): string | undefined =>
  typeof t === 'string' ? t : (t?.content ?? undefined);

function checkSupported(file: string, json: TokenizerJsonFile): void {
  const pre = json.pre_tokenizer;
  const ok =
    json.model?.type === 'BPE' &&
    json.normalizer === null &&
    pre?.type === 'ByteLevel' &&
    pre.add_prefix_space === false &&
    pre.use_regex !== false &&
    json.decoder?.type === 'ByteLevel';
  if (!ok) {
    throw new TokenizerFileError(
      file,
      `${file} is not a GPT-2-style byte-level BPE tokenizer (model BPE, no normalizer, ByteLevel pre-tokenizer without prefix space, ByteLevel decoder). Train one with \`spinettai tokenize\`.`,
    );
  }
}

/** A loaded byte-level BPE tokenizer. */
export class Tokenizer {
  /** Number of ids (largest id + 1), special tokens included. */
  readonly vocabSize: number;
  /** Id of the end-of-text token (document separator, BOS and EOS). */
  readonly eotTokenId: number;
  /** Id of the padding token (the EOT id if the folder defines none). */
  readonly padTokenId: number;
  /** Hex SHA-256 of the tokenizer.json bytes; recorded in dataset meta.json. */
  readonly sha256: string;

  private readonly hf: HfTokenizer;
  private readonly model: NonNullable<HfTokenizer['model']>;
  /** Pre-token → ids; lyrics repeat words a lot, so most words skip BPE entirely. */
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();
  private readonly pieces: TokenPiece[];
  private readonly tokenIds: Map<string, number>;

  private constructor(file: string, bytes: Uint8Array, configText: string | undefined, configFile: string) {
    let json: TokenizerJsonFile;
    let config: TokenizerConfigFile;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as TokenizerJsonFile;
    } catch (err) {
      throw new TokenizerFileError(file, `${file} is not valid UTF-8 JSON (${(err as Error).message}).`);
    }
    try {
      config = configText === undefined ? {} : (JSON.parse(configText) as TokenizerConfigFile);
    } catch (err) {
      throw new TokenizerFileError(
        configFile,
        `${configFile} is not valid JSON (${(err as Error).message}).`,
      );
    }
    checkSupported(file, json);
    this.sha256 = createHash('sha256').update(bytes).digest('hex');
    this.hf = new HfTokenizer(json, { ...config, clean_up_tokenization_spaces: false });
    this.model = this.hf.model as NonNullable<HfTokenizer['model']>;

    const added = new Map((json.added_tokens ?? []).map((t) => [t.id, t.content]));
    const entries: [string, number][] = [
      ...Object.entries(json.model.vocab),
      ...[...added].map(([id, t]) => [t, id] as [string, number]),
    ];
    this.tokenIds = new Map(entries);
    this.vocabSize = entries.reduce((max, [, id]) => Math.max(max, id), -1) + 1;
    this.pieces = new Array<TokenPiece>(this.vocabSize);
    for (const [token, id] of entries) {
      const special = added.get(id);
      if (special !== undefined) {
        this.pieces[id] = { special };
        continue;
      }
      const raw = byteLevelToBytes(token);
      if (raw === undefined)
        throw new TokenizerFileError(
          file,
          `${file}: vocab token ${JSON.stringify(token)} (id ${id}) is not byte-level.`,
        );
      this.pieces[id] = raw;
    }
    const idOf = (name: string, token: string | undefined): number => {
      const id = token === undefined ? undefined : this.tokenIds.get(token);
      if (id === undefined)
        throw new TokenizerFileError(
          configFile,
          `${configFile}: ${name} ${JSON.stringify(token)} is not in the vocabulary.`,
        );
      return id;
    };
    const eot = tokenText(config.eos_token) ?? '<|endoftext|>';
    this.eotTokenId = idOf('eos_token', eot);
    const pad = tokenText(config.pad_token);
    this.padTokenId = pad === undefined ? this.eotTokenId : idOf('pad_token', pad);
  }

  /**
   * Loads `dir/tokenizer.json` and, when present, `dir/tokenizer_config.json`.
   * @throws TokenizerFileError when the files are missing, invalid or not byte-level BPE.
   */
  static async fromDir(dir: string): Promise<Tokenizer> {
    const file = join(dir, TOKENIZER_JSON);
    const configFile = join(dir, TOKENIZER_CONFIG_JSON);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch {
      throw new TokenizerFileError(
        file,
        `Cannot read ${file}. Train a tokenizer first (\`spinettai tokenize\`).`,
      );
    }
    const configText = await readFile(configFile, 'utf8').catch(() => undefined);
    return new Tokenizer(file, bytes, configText, configFile);
  }

  /** Builds a tokenizer from the texts of tokenizer.json and tokenizer_config.json. */
  static fromStrings(tokenizerJson: string, tokenizerConfig?: string): Tokenizer {
    return new Tokenizer(
      TOKENIZER_JSON,
      new TextEncoder().encode(tokenizerJson),
      tokenizerConfig,
      TOKENIZER_CONFIG_JSON,
    );
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

  /** BPE-encodes one pre-token through the library's model and caches the ids. */
  private encodeWord(word: string): number[] {
    const pieces: string[] = this.model.encode([bytesToByteLevel(this.utf8.encode(word))]);
    const ids = pieces.map((t) => this.tokenIds.get(t) as number);
    if (this.cache.size >= WORD_CACHE_SIZE) this.cache.clear();
    this.cache.set(word, ids);
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
    for (const id of ids) this.pieceOf(id);
    if (ids.length === 0) return '';
    return this.hf.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  /** A streaming decoder whose chunks never end inside a UTF-8 character. */
  decodeStream(options: DecodeOptions = {}): StreamDecoder {
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
