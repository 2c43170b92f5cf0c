// Generation speed benchmark on random weights and random prompt tokens: greedy, after
// a warm-up run, median over several runs; batch 1, or `batch` rows of the same prompt
// decoded as one batch (what `generate --num-samples` does). `spinettai bench generate`
// and bench/generate.mjs call it; bench/generate_ref.py measures PyTorch the same way
// (same context policy, same definition of tokens/s).

import { SeededRandom, serializeModel } from '@spinettai/graph';
import * as ortNode from 'onnxruntime-node';
import { type GPTConfig, validateConfig } from '../config.js';
import { extraOpsets } from '../export/onnxFile.js';
import { checkModelDType, type ModelDType, quantizeGraph } from '../export/quantize.js';
import { readExportModel } from '../export/quantizeFiles.js';
import { buildKvCacheGraph } from '../kvGraph.js';
import { initParams } from '../params.js';
import { decodeBatch } from './batchLoop.js';
import { KvDecoder } from './decoder.js';
import { InvalidOptionError } from './errors.js';
import { checkOptionKeys, resolveSampling } from './options.js';
import { decodeTokens } from './tokenLoop.js';

/** Options of `benchGenerate`. */
export interface BenchGenerateOptions {
  /** Prompt length in tokens (default 32). */
  promptTokens?: number | undefined;
  /** Tokens generated per run (default 256). */
  newTokens?: number | undefined;
  /** Reuse past keys/values (default true); false recomputes the whole window every step. */
  kvCache?: boolean | undefined;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number | undefined;
  /** Timed runs; the medians are reported (default 3). */
  runs?: number | undefined;
  /** Seed of the random weights and prompt (default 1234). */
  seed?: number | undefined;
  /** Time this export folder's model instead of random weights (`cfg` is then ignored). */
  model?: string | undefined;
  /** Weights: the export's file for this dtype, or the random weights quantized to it (default 'fp32'). */
  dtype?: ModelDType | undefined;
  /** Samples decoded as one batch (default 1); tokens/s then counts every row's tokens. Needs kvCache. */
  batch?: number | undefined;
}

const BENCH_KEYS: readonly string[] = Object.keys({
  promptTokens: true,
  newTokens: true,
  kvCache: true,
  threads: true,
  runs: true,
  seed: true,
  model: true,
  dtype: true,
  batch: true,
} satisfies Record<keyof BenchGenerateOptions, true>);

/** Result of `benchGenerate` (snake_case: it is printed and stored as JSON). */
export interface BenchGenerateResult {
  /**
   * Median of batch × (newTokens − 1) / time from the first token to the last; the first
   * token (of every row) comes from the prefill.
   */
  new_tokens_per_s: number;
  /** Median time of the prompt's forward pass (prefill) up to the first token. */
  prefill_ms: number;
  /** Median wall time of a whole run (prefill + all steps). */
  total_ms: number;
  /** Time to build the graph and create the session. */
  session_ms: number;
  kv_cache: boolean;
  /** The weights timed: fp32, q8, q4 or fp16. */
  dtype: ModelDType;
  threads: number | null;
  /** Rows decoded as one batch. */
  batch: number;
  prompt_tokens: number;
  new_tokens: number;
  runs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function positiveInt(option: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidOptionError(option, `got ${v}; use a positive integer`);
  return v;
}

/** ONNX bytes of a KV-cache graph with random weights, quantized to `dtype`. */
function randomModel(config: GPTConfig, seed: number, dtype: ModelDType): Uint8Array {
  const graph = buildKvCacheGraph(config, initParams(config, seed));
  const g = dtype === 'fp32' ? graph : quantizeGraph(graph, dtype);
  return serializeModel(g, { extraOpsets: extraOpsets(g) });
}

/** Times one greedy generation of `batch` rows as one batch; returns prefill and decode ms and tokens per row. */
async function timeBatch(decoder: KvDecoder, prompt: number[], newTokens: number, batch: number) {
  const sampling = resolveSampling({ temperature: 0, repetitionPenalty: 1, seed: 0 });
  const t0 = performance.now();
  let first = t0;
  const rows = await decodeBatch(decoder, prompt, batch, {
    sampling,
    maxNewTokens: newTokens,
    stopTokenIds: [],
    onToken: (row, _id) => {
      if (row === 0 && first === t0) first = performance.now();
      return undefined;
    },
  });
  const t2 = performance.now();
  return { prefillMs: first - t0, decodeMs: t2 - first, totalMs: t2 - t0, n: rows[0]!.ids.length };
}

/** Times one greedy generation; returns prefill and decode ms and the tokens generated. */
async function timeRun(decoder: KvDecoder, prompt: number[], newTokens: number, kvCache: boolean, batch = 1) {
  if (batch > 1) return timeBatch(decoder, prompt, newTokens, batch);
  const sampling = resolveSampling({ temperature: 0, repetitionPenalty: 1, seed: 0 });
  const it = decodeTokens(decoder, prompt, { sampling, maxNewTokens: newTokens, stopTokenIds: [], kvCache });
  const t0 = performance.now();
  let first = t0;
  let n = 0;
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    if (n++ === 0) first = performance.now();
  }
  const t2 = performance.now();
  return { prefillMs: first - t0, decodeMs: t2 - first, totalMs: t2 - t0, n };
}

/**
 * Measures generation speed of a GPT-2 of shape `cfg` with random weights (GPT-2 init)
 * and a random prompt, greedy, batch 1. One warm-up run precedes the timed runs.
 */
export async function benchGenerate(
  cfg: Partial<GPTConfig>,
  opts: BenchGenerateOptions = {},
): Promise<BenchGenerateResult> {
  checkOptionKeys(opts, BENCH_KEYS);
  const dtype = checkModelDType(opts.dtype ?? 'fp32');
  const exported = opts.model === undefined ? undefined : await readExportModel(opts.model, dtype);
  const config = exported?.config ?? validateConfig(cfg);
  const promptTokens = positiveInt('promptTokens', opts.promptTokens ?? 32);
  const newTokens = positiveInt('newTokens', opts.newTokens ?? 256);
  const runs = positiveInt('runs', opts.runs ?? 3);
  if (opts.threads !== undefined) positiveInt('threads', opts.threads);
  const kvCache = opts.kvCache ?? true;
  const seed = opts.seed ?? 1234;
  const batch = positiveInt('batch', opts.batch ?? 1);
  if (batch > 1 && !kvCache)
    throw new InvalidOptionError('batch', 'batched decoding needs the KV cache; drop kvCache: false');

  const s0 = performance.now();
  const decoder = await KvDecoder.create(
    ortNode,
    exported?.modelPath ?? randomModel(config, seed, dtype),
    config,
    {
      threads: opts.threads,
    },
  );
  const sessionMs = performance.now() - s0;
  try {
    const rng = new SeededRandom(seed, 1);
    const prompt = Array.from({ length: promptTokens }, () => rng.nextUint32() % config.vocabSize);
    await timeRun(decoder, prompt, Math.min(newTokens, 16), kvCache, batch); // warm-up
    const prefill: number[] = [];
    const rate: number[] = [];
    const total: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = await timeRun(decoder, prompt, newTokens, kvCache, batch);
      prefill.push(t.prefillMs);
      total.push(t.totalMs);
      rate.push(t.decodeMs > 0 ? (batch * (t.n - 1) * 1000) / t.decodeMs : Number.POSITIVE_INFINITY);
    }
    return {
      new_tokens_per_s: median(rate),
      prefill_ms: median(prefill),
      total_ms: median(total),
      session_ms: sessionMs,
      kv_cache: kvCache,
      dtype,
      threads: opts.threads ?? null,
      batch,
      prompt_tokens: promptTokens,
      new_tokens: newTokens,
      runs,
    };
  } finally {
    await decoder.release();
  }
}
