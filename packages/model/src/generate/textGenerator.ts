// The generation API: a TextGenerator holds one onnxruntime session of the KV-cache
// graph plus a tokenizer, and generates text or token ids from a prompt. It runs
// anywhere onnxruntime's JavaScript API does: the caller injects the runtime
// (`onnxruntime-node` in Node, `onnxruntime-web` in a browser) and the model (bytes, a
// path or a URL). Loading from a checkpoint or export folder is Node-only and lives in
// `@spinettai/model/node` (loadTextGenerator). One generation runs at a time per
// TextGenerator; call `release()` when done.

import { type GPTConfig, validateConfig } from '../config.js';
import { CopyGuard, type WordRunIndex } from '../lyrics/copyGuard.js';
import { guardTokens } from '../lyrics/guardTokens.js';
import { artistsOf } from './artists.js';
import { decodeBatch } from './batchLoop.js';
import {
  GENERATE_BATCH_OPTION_KEYS,
  type GenerateBatchOptions,
  generateTextBatch,
  resolveNumSamples,
} from './batchText.js';
import { type DecoderDims, KvDecoder } from './decoder.js';
import { GenerationError, InvalidOptionError } from './errors.js';
import {
  checkOptionKeys,
  GENERATE_IDS_OPTION_KEYS,
  GENERATE_OPTION_KEYS,
  type GenerateIdsOptions,
  type GenerateOptions,
  resolveCount,
  resolveMaxNewTokens,
  resolveSampling,
  resolveStop,
  resolveStopTokenIds,
} from './options.js';
import type { OrtModule } from './ort.js';
import { type GenerateResult, type GenerationTokenizer, textPieces } from './textStream.js';
import { decodeTokens, type FinishReason, type TokenLoopOptions } from './tokenLoop.js';
import { type WindowLoss, windowLoss } from './windowLoss.js';

/** Options of `TextGenerator.create`. */
export interface TextGeneratorOptions {
  /** The onnxruntime module: `import * as ort from 'onnxruntime-node'` or `'onnxruntime-web'`. */
  ort: OrtModule;
  /** The KV-cache ONNX model (an export's onnx/model.onnx): its bytes, a file path (Node) or a URL (browser). */
  model: Uint8Array | string;
  /** The model's shape (`fromHfConfig(configJson)` reads an export's config.json). */
  config: GPTConfig;
  /** The tokenizer (`Tokenizer` from @spinettai/tokenizer fits); text generation needs one. */
  tokenizer?: GenerationTokenizer | undefined;
  /** Id of `<|endoftext|>` (default: the tokenizer's `eotTokenId`, else 0). */
  eosTokenId?: number | undefined;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number | undefined;
  /** The training lyrics, for the copied-lyrics guard (`maxCopyWords`) of every generation. */
  lyricsIndex?: WordRunIndex | undefined;
}

const CREATE_KEYS: readonly string[] = Object.keys({
  ort: true,
  model: true,
  config: true,
  tokenizer: true,
  eosTokenId: true,
  threads: true,
  lyricsIndex: true,
} satisfies Record<keyof TextGeneratorOptions, true>);

/** Token-level options plus the cache switch (the benchmark's no-cache mode). */
export interface StreamIdsOptions extends GenerateIdsOptions {
  /** Reuse past keys/values (default true). */
  kvCache?: boolean | undefined;
}

const STREAM_IDS_KEYS: readonly string[] = [...GENERATE_IDS_OPTION_KEYS, 'kvCache'];

/** Outcome of a token-level generation. */
export interface GenerateIdsResult {
  /** Generated ids (the prompt and the stop id not included). */
  ids: number[];
  finishReason: FinishReason;
}

/**
 * Generates text or token ids with a GPT-2 KV-cache model on an injected onnxruntime.
 *
 * @example
 * ```ts
 * // Browser (or Node): the page fetches an export folder written by exportOnnx.
 * import * as ort from 'onnxruntime-web';
 * import { fromHfConfig, TextGenerator } from '@spinettai/model';
 * import { Tokenizer } from '@spinettai/tokenizer';
 *
 * const get = (f: string) => fetch(`/export/${f}`);
 * const generator = await TextGenerator.create({
 *   ort,
 *   model: new Uint8Array(await (await get('onnx/model.onnx')).arrayBuffer()),
 *   config: fromHfConfig(await (await get('config.json')).json()),
 *   tokenizer: Tokenizer.fromStrings(await (await get('tokenizer.json')).text()),
 * });
 * for await (const piece of generator.stream('La noche', { maxNewTokens: 50, seed: 7 })) console.log(piece);
 * await generator.release();
 * ```
 */
export class TextGenerator {
  private busy = false;
  private released = false;

  private constructor(
    private readonly decoder: KvDecoder,
    /** The model's shape. */
    readonly config: GPTConfig,
    /** The tokenizer, when there is one (text generation needs it). */
    readonly tokenizer: GenerationTokenizer | undefined,
    /** Id of `<|endoftext|>`: prepended to prompts and the default stop token. */
    readonly eosTokenId: number,
    /** The training lyrics the copied-lyrics guard checks against, when given. */
    readonly lyricsIndex: WordRunIndex | undefined,
  ) {}

  /** Artist → id of its `<|artist:NAME|>` token (empty unless the model was tokenized with `--condition artist`). */
  get artistTokens(): ReadonlyMap<string, number> {
    return artistsOf(this.tokenizer);
  }

  /** The artists the model was conditioned on, sorted; `artist` takes one of them. */
  get artists(): string[] {
    return [...this.artistTokens.keys()];
  }

  /** Opens a session on `opts.model` with `opts.ort`. Throws GenerationError when they do not fit. */
  static async create(opts: TextGeneratorOptions): Promise<TextGenerator> {
    checkOptionKeys(opts, CREATE_KEYS);
    if (opts === undefined) throw new GenerationError('TextGenerator.create needs { ort, model, config }');
    const model = opts.model as unknown;
    if (typeof model !== 'string' && !(model instanceof Uint8Array)) {
      throw new GenerationError("'model' must be the ONNX model's bytes (Uint8Array), a file path or a URL", {
        option: 'model',
      });
    }
    const config = validateConfig(opts.config);
    const dims: DecoderDims = config;
    const decoder = await KvDecoder.create(opts.ort, opts.model, dims, { threads: opts.threads });
    const tokenizer = opts.tokenizer;
    const eosTokenId = opts.eosTokenId ?? tokenizer?.eotTokenId ?? 0;
    if (tokenizer !== undefined && tokenizer.vocabSize > config.vocabSize) {
      await decoder.release();
      throw new GenerationError(
        `the tokenizer has ${tokenizer.vocabSize} ids but the model only ${config.vocabSize}; use the tokenizer the model was trained with`,
        { option: 'tokenizer' },
      );
    }
    return new TextGenerator(decoder, config, tokenizer, eosTokenId, opts.lyricsIndex);
  }

  private loopOptions(opts: StreamIdsOptions, stopTokenIds: readonly number[]): TokenLoopOptions {
    return {
      sampling: resolveSampling(opts),
      maxNewTokens: resolveMaxNewTokens(opts.maxNewTokens),
      stopTokenIds: resolveStopTokenIds(stopTokenIds, this.config.vocabSize),
      signal: opts.signal,
      kvCache: opts.kvCache ?? true,
      minNewTokens: resolveCount('minNewTokens', opts.minNewTokens),
      noRepeatNgram: resolveCount('noRepeatNgram', opts.noRepeatNgram),
    };
  }

  /** `[<|endoftext|>]`, or `[<|endoftext|>, <|artist:NAME|>]`: how training starts each song. */
  private songStart(artist: string | undefined): number[] {
    if (artist === undefined) return [this.eosTokenId];
    const known = this.artistTokens;
    const id = known.get(typeof artist === 'string' ? artist.trim() : artist);
    if (id === undefined) {
      throw new InvalidOptionError(
        'artist',
        known.size === 0
          ? `this model knows no artists (tokenize the corpus with --condition artist and train again)`
          : `unknown artist ${JSON.stringify(artist)}; the model knows: ${[...known.keys()].join(', ')}`,
      );
    }
    return [this.eosTokenId, id];
  }

  /** The guard's candidate check, or undefined when the guard is off. */
  private copyCheck(opts: GenerateOptions, tokenizer: GenerationTokenizer) {
    const n = resolveCount('maxCopyWords', opts.maxCopyWords);
    if (n === 0) return undefined;
    const index = opts.lyricsIndex ?? this.lyricsIndex;
    if (index === undefined)
      throw new InvalidOptionError(
        'maxCopyWords',
        'the guard needs the training lyrics: pass lyricsIndex (LyricsIndex.fromTexts) or load the generator with a corpus',
      );
    if (tokenizer.decode === undefined)
      throw new InvalidOptionError('maxCopyWords', 'the tokenizer has no decode(ids); pass a Tokenizer');
    return guardTokens(new CopyGuard(index, n), { decode: tokenizer.decode.bind(tokenizer) });
  }

  private checkPrompt(ids: readonly number[]): void {
    if (ids.length === 0)
      throw new GenerationError('the prompt has no tokens; pass at least the <|endoftext|> id');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize) {
        throw new GenerationError(
          `prompt token id ${id} is not in the vocabulary [0, ${this.config.vocabSize})`,
        );
      }
    }
  }

  /** Marks the session busy; throws when it is released or already in use. */
  private acquire(): void {
    if (this.released) throw new GenerationError('this TextGenerator was released; create a new one');
    if (this.busy)
      throw new GenerationError(
        'a generation is already running on this TextGenerator; await it or use a second TextGenerator',
      );
    this.busy = true;
  }

  /** Runs `body` as the only generation of this TextGenerator. */
  private async *exclusive<T, R>(body: AsyncGenerator<T, R, undefined>): AsyncGenerator<T, R, undefined> {
    this.acquire();
    try {
      return yield* body;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Streams generated token ids. Options are validated before the first id. The return
   * value says why generation ended. A prompt longer than blockSize is cropped to its end.
   */
  streamIds(
    promptIds: readonly number[],
    opts: StreamIdsOptions = {},
  ): AsyncGenerator<number, FinishReason, undefined> {
    checkOptionKeys(opts, STREAM_IDS_KEYS);
    const loop = this.loopOptions(opts, opts.stopTokenIds ?? [this.eosTokenId]);
    this.checkPrompt(promptIds);
    return this.exclusive(decodeTokens(this.decoder, promptIds, loop));
  }

  /**
   * Generates token ids from token ids (no tokenizer needed).
   *
   * @example
   * ```ts
   * const { ids, finishReason } = await generator.generateIds([0, 42, 7], { temperature: 0, maxNewTokens: 16 });
   * ```
   */
  async generateIds(promptIds: readonly number[], opts: StreamIdsOptions = {}): Promise<GenerateIdsResult> {
    const it = this.streamIds(promptIds, opts);
    const ids: number[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done) return { ids, finishReason: r.value };
      ids.push(r.value);
    }
  }

  /**
   * Streams the continuation of `prompt` as text pieces (never half a UTF-8 character,
   * never any text at or after a stop string). The prompt is encoded after an
   * `<|endoftext|>` id, the way songs start in training. The return value is the result.
   *
   * @example
   * ```ts
   * for await (const piece of generator.stream('La noche', { stop: ['\n\n'] })) process.stdout.write(piece);
   * ```
   */
  stream(prompt: string, opts: GenerateOptions = {}): AsyncGenerator<string, GenerateResult, undefined> {
    checkOptionKeys(opts, GENERATE_OPTION_KEYS);
    const tokenizer = this.tokenizer;
    if (tokenizer === undefined)
      throw new GenerationError('this generator has no tokenizer; use generateIds or pass a tokenizer', {
        option: 'tokenizer',
      });
    if (typeof prompt !== 'string')
      throw new GenerationError(`the prompt must be a string, got ${typeof prompt}`);
    const stop = resolveStop(opts.stop);
    const loop = this.loopOptions(opts, opts.stopAtEos === false ? [] : [this.eosTokenId]);
    loop.allows = this.copyCheck(opts, tokenizer);
    const ids = [...this.songStart(opts.artist), ...tokenizer.encode(prompt)];
    this.checkPrompt(ids);
    return this.exclusive(textPieces(decodeTokens(this.decoder, ids, loop), tokenizer, stop, ids.length));
  }

  /**
   * Generates the continuation of `prompt`; `opts.onToken` sees each text piece as it is
   * produced (a returned promise is awaited).
   *
   * @example
   * ```ts
   * const { text, finishReason } = await generator.generate('La noche', { maxNewTokens: 100, seed: 7 });
   * ```
   */
  async generate(prompt: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
    const it = this.stream(prompt, opts);
    let finished = false;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) {
          finished = true;
          return r.value;
        }
        await opts.onToken?.(r.value);
      }
    } finally {
      // A throwing onToken must not leave the generation (and this TextGenerator) busy.
      if (!finished) await it.return(undefined as never);
    }
  }

  /**
   * Generates `n` samples of `promptIds` as one batch (a batch dimension through the KV
   * cache): sample i equals `generateIds(promptIds, { ...opts, seed: seed + i })`.
   */
  async generateIdsBatch(
    promptIds: readonly number[],
    n: number,
    opts: GenerateIdsOptions = {},
  ): Promise<GenerateIdsResult[]> {
    checkOptionKeys(opts, GENERATE_IDS_OPTION_KEYS);
    const loop = this.loopOptions(opts, opts.stopTokenIds ?? [this.eosTokenId]);
    this.checkPrompt(promptIds);
    resolveNumSamples(n);
    this.acquire();
    try {
      return await decodeBatch(this.decoder, promptIds, n, loop);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Generates `n` samples of `prompt` as one batch, far cheaper than n runs: sample i
   * equals `generate(prompt, { ...opts, seed: seed + i })` (seed random when not given).
   * `opts.onSample` sees each result as soon as its row finishes.
   *
   * @example
   * ```ts
   * const songs = await generator.generateBatch('La noche', 4, { seed: 7, maxNewTokens: 100 });
   * ```
   */
  async generateBatch(prompt: string, n: number, opts: GenerateBatchOptions = {}): Promise<GenerateResult[]> {
    checkOptionKeys(opts, GENERATE_BATCH_OPTION_KEYS);
    const tokenizer = this.tokenizer;
    if (tokenizer === undefined)
      throw new GenerationError('this generator has no tokenizer; use generateIdsBatch or pass a tokenizer', {
        option: 'tokenizer',
      });
    if (typeof prompt !== 'string')
      throw new GenerationError(`the prompt must be a string, got ${typeof prompt}`);
    resolveNumSamples(n);
    const stop = resolveStop(opts.stop);
    const loop = this.loopOptions(opts, opts.stopAtEos === false ? [] : [this.eosTokenId]);
    loop.allows = this.copyCheck(opts, tokenizer);
    const ids = [...this.songStart(opts.artist), ...tokenizer.encode(prompt)];
    this.checkPrompt(ids);
    this.acquire();
    try {
      return await generateTextBatch(this.decoder, tokenizer, ids, n, loop, stop, opts.onSample);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Mean token cross-entropy of `tokens` (e.g. a dataset's val.bin) in non-overlapping
   * windows of blockSize: what `spinettai eval` reports as `val_loss`.
   */
  async evaluateLoss(
    tokens: ArrayLike<number>,
    opts: { signal?: AbortSignal | undefined } = {},
  ): Promise<WindowLoss> {
    checkOptionKeys(opts, ['signal']);
    this.acquire();
    try {
      return await windowLoss(this.decoder, tokens, opts);
    } finally {
      this.busy = false;
    }
  }

  /** Frees the onnxruntime session. Safe to call twice; the TextGenerator is unusable afterwards. */
  async release(): Promise<void> {
    this.released = true;
    await this.decoder.release();
  }
}
