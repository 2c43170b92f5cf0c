// The generation API: a Generator holds one onnxruntime session of the KV-cache graph
// (built from a checkpoint's weights, or an exported onnx/model.onnx) plus the
// tokenizer of the folder, and generates text or token ids from a prompt. One
// generation runs at a time per Generator; call `release()` when done.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@spinettai/tokenizer';
import { loadCheckpoint } from '../checkpoint/hfFolder.js';
import { fromHfConfig, type GPTConfig } from '../config.js';
import type { Params } from '../params.js';
import { type DecoderSessionOptions, KvDecoder } from './decoder.js';
import { GenerationError } from './errors.js';
import { buildKvCacheGraph } from './kvGraph.js';
import { modelBytesOrFile } from './modelFile.js';
import {
  type GenerateIdsOptions,
  type GenerateOptions,
  resolveMaxNewTokens,
  resolveSampling,
  resolveStop,
  resolveStopTokenIds,
} from './options.js';
import { type GenerateResult, type GenerationTokenizer, textPieces } from './textStream.js';
import { decodeTokens, type FinishReason, type TokenLoopOptions } from './tokenLoop.js';

/** Options of the Generator factories. */
export interface GeneratorOptions extends DecoderSessionOptions {
  /** Use this tokenizer instead of the folder's tokenizer.json. */
  tokenizer?: GenerationTokenizer;
}

/** Token-level options plus the cache switch (the benchmark's no-cache mode). */
export interface StreamIdsOptions extends GenerateIdsOptions {
  /** Reuse past keys/values (default true). */
  kvCache?: boolean;
}

/** Outcome of a token-level generation. */
export interface GenerateIdsResult {
  /** Generated ids (the prompt and the stop id not included). */
  ids: number[];
  finishReason: FinishReason;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function folderTokenizer(
  dir: string,
  given: GenerationTokenizer | undefined,
): Promise<GenerationTokenizer | undefined> {
  if (given !== undefined) return given;
  return (await exists(join(dir, 'tokenizer.json'))) ? Tokenizer.fromDir(dir) : undefined;
}

/** Generates text or token ids with a GPT-2 on onnxruntime-node. */
export class Generator {
  private busy = false;
  private released = false;

  private constructor(
    private readonly decoder: KvDecoder,
    /** The model's shape. */
    readonly config: GPTConfig,
    /** The tokenizer, when the folder has one (text generation needs it). */
    readonly tokenizer: GenerationTokenizer | undefined,
    /** Id of `<|endoftext|>`: prepended to prompts and the default stop token. */
    readonly eosTokenId: number,
  ) {}

  /** A generator over in-memory weights (Hugging Face GPT-2 names). */
  static async fromParams(
    config: GPTConfig,
    params: Params,
    opts: GeneratorOptions & { eosTokenId?: number } = {},
  ): Promise<Generator> {
    const model = await modelBytesOrFile(buildKvCacheGraph(config, params));
    try {
      const decoder = await KvDecoder.create(model.source, config, opts);
      return Generator.make(decoder, config, opts.tokenizer, opts.eosTokenId);
    } finally {
      await model.cleanup();
    }
  }

  /**
   * Loads a model folder of either kind: an export folder (it has onnx/model.onnx) or a
   * checkpoint folder (config.json + model.safetensors).
   */
  static async load(dir: string, opts: GeneratorOptions = {}): Promise<Generator> {
    if (await exists(join(dir, 'onnx', 'model.onnx'))) return Generator.fromExport(dir, opts);
    if (!(await exists(join(dir, 'config.json')))) {
      throw new GenerationError(
        `${dir} is neither a checkpoint folder (config.json) nor an export folder (onnx/model.onnx)`,
      );
    }
    return Generator.fromCheckpoint(dir, opts);
  }

  /** Loads a checkpoint folder (config.json, model.safetensors, tokenizer.json). */
  static async fromCheckpoint(dir: string, opts: GeneratorOptions = {}): Promise<Generator> {
    const ckpt = await loadCheckpoint(dir);
    const tokenizer = await folderTokenizer(dir, opts.tokenizer);
    return Generator.fromParams(ckpt.config, ckpt.params, {
      ...opts,
      tokenizer,
      eosTokenId: ckpt.eosTokenId,
    });
  }

  /** Loads an export folder written by `exportOnnx` (onnx/model.onnx, config.json, tokenizer.json). */
  static async fromExport(dir: string, opts: GeneratorOptions = {}): Promise<Generator> {
    const configPath = join(dir, 'config.json');
    const modelPath = join(dir, 'onnx', 'model.onnx');
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new GenerationError(
        `cannot read ${configPath} (${(err as Error).message}); is ${dir} an exportOnnx folder?`,
      );
    }
    if (!(await exists(modelPath)))
      throw new GenerationError(`${modelPath} is missing; run exportOnnx on the checkpoint first`);
    const config = fromHfConfig(json);
    const tokenizer = await folderTokenizer(dir, opts.tokenizer);
    const decoder = await KvDecoder.create(modelPath, config, opts);
    const eos = typeof json['eos_token_id'] === 'number' ? json['eos_token_id'] : undefined;
    return Generator.make(decoder, config, tokenizer, eos);
  }

  private static async make(
    decoder: KvDecoder,
    config: GPTConfig,
    tokenizer: GenerationTokenizer | undefined,
    eos: number | undefined,
  ) {
    const eosTokenId = tokenizer?.eotTokenId ?? eos ?? 0;
    if (tokenizer !== undefined && tokenizer.vocabSize > config.vocabSize) {
      await decoder.release();
      throw new GenerationError(
        `the tokenizer has ${tokenizer.vocabSize} ids but the model only ${config.vocabSize}; use the tokenizer the model was trained with`,
      );
    }
    return new Generator(decoder, config, tokenizer, eosTokenId);
  }

  private loopOptions(opts: StreamIdsOptions, stopTokenIds: readonly number[]): TokenLoopOptions {
    return {
      sampling: resolveSampling(opts),
      maxNewTokens: resolveMaxNewTokens(opts.maxNewTokens),
      stopTokenIds: resolveStopTokenIds(stopTokenIds, this.config.vocabSize),
      signal: opts.signal,
      kvCache: opts.kvCache ?? true,
    };
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

  /** Runs `body` as the only generation of this Generator. */
  private async *exclusive<T, R>(body: AsyncGenerator<T, R, undefined>): AsyncGenerator<T, R, undefined> {
    if (this.released) throw new GenerationError('this Generator was released; create a new one');
    if (this.busy)
      throw new GenerationError(
        'a generation is already running on this Generator; await it or use a second Generator',
      );
    this.busy = true;
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
    const loop = this.loopOptions(opts, opts.stopTokenIds ?? [this.eosTokenId]);
    this.checkPrompt(promptIds);
    return this.exclusive(decodeTokens(this.decoder, promptIds, loop));
  }

  /** Generates token ids from token ids. */
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
   */
  stream(prompt: string, opts: GenerateOptions = {}): AsyncGenerator<string, GenerateResult, undefined> {
    const tokenizer = this.tokenizer;
    if (tokenizer === undefined)
      throw new GenerationError(
        'this model folder has no tokenizer.json; use generateIds or pass a tokenizer',
      );
    if (typeof prompt !== 'string')
      throw new GenerationError(`the prompt must be a string, got ${typeof prompt}`);
    const stop = resolveStop(opts.stop);
    const loop = this.loopOptions(opts, opts.stopAtEos === false ? [] : [this.eosTokenId]);
    const ids = [this.eosTokenId, ...tokenizer.encode(prompt)];
    this.checkPrompt(ids);
    return this.exclusive(textPieces(decodeTokens(this.decoder, ids, loop), tokenizer, stop, ids.length));
  }

  /** Generates the continuation of `prompt`; `opts.onToken` sees each text piece as it is produced. */
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
        opts.onToken?.(r.value);
      }
    } finally {
      // A throwing onToken must not leave the generation (and this Generator) busy.
      if (!finished) await it.return(undefined as never);
    }
  }

  /** Frees the onnxruntime session. Safe to call twice; the Generator is unusable afterwards. */
  async release(): Promise<void> {
    this.released = true;
    await this.decoder.release();
  }
}
