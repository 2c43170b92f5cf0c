// Generation speed benchmark on random weights and random prompt tokens: batch 1,
// greedy, after a warm-up run, median over several runs. `spinettai bench generate`
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
} satisfies Record<keyof BenchGenerateOptions, true>);

/** Result of `benchGenerate` (snake_case: it is printed and stored as JSON). */
export interface BenchGenerateResult {
  /** Median of (newTokens − 1) / time from the first token to the last; the first token comes from the prefill. */
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

/** Times one greedy generation; returns prefill and decode seconds. */
async function timeRun(decoder: KvDecoder, prompt: number[], newTokens: number, kvCache: boolean) {
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
    await timeRun(decoder, prompt, Math.min(newTokens, 16), kvCache); // warm-up
    const prefill: number[] = [];
    const rate: number[] = [];
    const total: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = await timeRun(decoder, prompt, newTokens, kvCache);
      prefill.push(t.prefillMs);
      total.push(t.totalMs);
      rate.push(t.decodeMs > 0 ? ((t.n - 1) * 1000) / t.decodeMs : Number.POSITIVE_INFINITY);
    }
    return {
      new_tokens_per_s: median(rate),
      prefill_ms: median(prefill),
      total_ms: median(total),
      session_ms: sessionMs,
      kv_cache: kvCache,
      dtype,
      threads: opts.threads ?? null,
      prompt_tokens: promptTokens,
      new_tokens: newTokens,
      runs,
    };
  } finally {
    await decoder.release();
  }
}
