// Training-throughput benchmark on random tokens: forward + backward + AdamW steps of a
// given config, timed after warmup. `spinettai bench train` and bench/train.mjs call it.
// MFU = 6 · params · tokens/s ÷ peak matmul FLOP/s (measured with `measurePeakFlops`);
// with `lora` the base is frozen (no weight gradients), so a token costs 4 · params.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, SeededRandom } from '@spinettai/graph';
import {
  countParams,
  type GPTConfig,
  initLora,
  initParams,
  type LoraOptions,
  resolveLora,
  validateConfig,
} from '@spinettai/model';
import { Tensor } from 'onnxruntime-node';
import type { Batch } from './data.js';
import { GptTraining } from './gptTraining.js';
import { rejectUnknownKeys, TRAIN_DEFAULTS } from './options.js';
import { createSession } from './sessions.js';
import type { OptimizerMode } from './step.js';

/** Defaults of `benchTrain` (`spinettai bench train` shows them in --help). */
export const BENCH_TRAIN_DEFAULTS = Object.freeze({
  batch: TRAIN_DEFAULTS.batchSize, // sequences per step, as training
  steps: 10, // timed steps
  warmup: 2, // untimed warm-up steps
  optimizer: TRAIN_DEFAULTS.optimizer,
});

/** Options of `benchTrain`. Optional keys accept `undefined` (= the default). */
export interface BenchTrainOptions {
  /** Sequences per step (default 16). */
  batch?: number | undefined;
  /** Timed steps (default 10). */
  steps?: number | undefined;
  /** Untimed warmup steps (default 2). */
  warmup?: number | undefined;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number | undefined;
  optimizer?: OptimizerMode | undefined;
  /** Peak FLOP/s of the machine, to report MFU. */
  peakFlops?: number | undefined;
  /** Profile one extra step with onnxruntime's profiler and summarise time by op type. */
  profile?: boolean | undefined;
  /** Train a LoRA adapter over a frozen random base instead of every weight. */
  lora?: LoraOptions | undefined;
}

const BENCH_KEYS: readonly (keyof BenchTrainOptions)[] = [
  'batch',
  'steps',
  'warmup',
  'threads',
  'optimizer',
  'peakFlops',
  'profile',
  'lora',
];

/** Result of `benchTrain` (snake_case: printed as JSON by the benchmark scripts). */
export interface BenchTrainResult {
  config: GPTConfig;
  batch: number;
  optimizer: OptimizerMode;
  threads: number | undefined;
  params: number;
  /** Parameters the optimizer updates (all of them, or a LoRA run's A and B). */
  trainable_params: number;
  /** LoRA rank, 0 for a full run. */
  lora_rank: number;
  tokens_per_step: number;
  step_ms: number;
  step_ms_all: number[];
  tokens_per_s: number;
  peak_rss_mb: number;
  session_create_ms: number;
  mfu?: number;
  /** Share of profiled kernel time by op type (with `profile`). */
  profile?: { op: string; ms: number; share: number }[];
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function randomBatch(rng: SeededRandom, n: number, vocab: number): Batch {
  return {
    inputs: BigInt64Array.from({ length: n }, () => BigInt(rng.nextInt(vocab))),
    targets: BigInt64Array.from({ length: n }, () => BigInt(rng.nextInt(vocab))),
  };
}

/** Sums an onnxruntime profile (Chrome trace JSON) by op type. */
export function summariseProfile(path: string): { op: string; ms: number; share: number }[] {
  const events = JSON.parse(readFileSync(path, 'utf8')) as {
    cat?: string;
    dur?: number;
    args?: { op_name?: string };
  }[];
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || e.args?.op_name === undefined || e.dur === undefined) continue;
    byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + e.dur);
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp].map(([op, us]) => ({ op, ms: us / 1000, share: us / total })).sort((a, b) => b.ms - a.ms);
}

/** Measures training throughput of `cfg` on random tokens. */
export async function benchTrain(
  cfgIn: Partial<GPTConfig>,
  options: BenchTrainOptions = {},
): Promise<BenchTrainResult> {
  rejectUnknownKeys(options, BENCH_KEYS);
  const o = { ...options, batch: options.batch ?? BENCH_TRAIN_DEFAULTS.batch };
  const cfg = validateConfig({ dropout: 0, ...cfgIn });
  const mode = o.optimizer ?? BENCH_TRAIN_DEFAULTS.optimizer;
  const T = cfg.blockSize;
  const lora = o.lora === undefined ? undefined : resolveLora(o.lora);
  const weights = initParams(cfg, 1);
  const model = GptTraining.create(
    cfg,
    lora === undefined ? weights : initLora(cfg, lora, 1),
    { batch: o.batch, optimizer: mode, accum: 1, threads: o.threads },
    undefined,
    lora === undefined ? undefined : { config: lora, base: weights, baseDir: '' },
  );
  const tc = performance.now();
  const step = await model.newStep(1);
  const sessionCreateMs = performance.now() - tc;
  const rng = new SeededRandom(1);
  const times: number[] = [];
  try {
    const batch = randomBatch(rng, o.batch * T, cfg.vocabSize);
    const warmup = o.warmup ?? BENCH_TRAIN_DEFAULTS.warmup;
    const steps = o.steps ?? BENCH_TRAIN_DEFAULTS.steps;
    for (let i = 0; i < warmup + steps; i++) {
      const t = performance.now();
      await step.run([batch], { t: i + 1, lr: 1e-4, weightDecay: 0.1, gradClip: 1 });
      if (i >= warmup) times.push(performance.now() - t);
    }
  } finally {
    await step.release();
  }
  let profile: BenchTrainResult['profile'];
  if (o.profile) {
    const prefix = join(tmpdir(), `spinettai-profile-${process.pid}`);
    const ps = await model.newStep(1, { profilePrefix: prefix });
    const batch = randomBatch(rng, o.batch * T, cfg.vocabSize);
    for (let i = 0; i < 2; i++) await ps.run([batch], { t: 1, lr: 1e-4, weightDecay: 0.1, gradClip: 1 });
    await ps.release();
    const files = readdirSync(tmpdir()).filter((f) => f.startsWith(`spinettai-profile-${process.pid}`));
    profile = [];
    const merged = new Map<string, number>();
    for (const f of files) {
      for (const e of summariseProfile(join(tmpdir(), f))) merged.set(e.op, (merged.get(e.op) ?? 0) + e.ms);
      rmSync(join(tmpdir(), f), { force: true });
    }
    const total = [...merged.values()].reduce((a, b) => a + b, 0);
    profile = [...merged]
      .map(([op, ms]) => ({ op, ms: ms / 2, share: ms / total }))
      .sort((a, b) => b.ms - a.ms);
  }
  const params = countParams(cfg);
  const tokensPerStep = o.batch * T;
  const stepMs = median(times);
  const tokensPerSec = (tokensPerStep * 1000) / stepMs;
  const result: BenchTrainResult = {
    config: cfg,
    batch: o.batch,
    optimizer: mode,
    threads: o.threads,
    params,
    trainable_params: model.store.nTotal,
    lora_rank: lora?.rank ?? 0,
    tokens_per_step: tokensPerStep,
    step_ms: stepMs,
    step_ms_all: times,
    tokens_per_s: tokensPerSec,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    session_create_ms: sessionCreateMs,
  };
  if (o.peakFlops !== undefined) result.mfu = ((lora ? 4 : 6) * params * tokensPerSec) / o.peakFlops;
  if (profile !== undefined) result.profile = profile;
  return result;
}

/** Peak float32 matmul FLOP/s of this machine: a large onnxruntime MatMul, fastest of `reps` runs. */
export async function measurePeakFlops(
  o: { n?: number; reps?: number; threads?: number } = {},
): Promise<number> {
  const n = o.n ?? 2048;
  const b = new GraphBuilder('peak_matmul');
  const x = b.input('a', 'float32', [n, n]);
  const y = b.input('b', 'float32', [n, n]);
  b.output(b.matmul(x, y), 'c'); // (n, n)
  const session = await createSession(b.build(), o.threads === undefined ? {} : { threads: o.threads });
  const rng = new SeededRandom(2);
  const data = Float32Array.from({ length: n * n }, () => rng.uniform() - 0.5);
  const feeds = { a: new Tensor('float32', data, [n, n]), b: new Tensor('float32', data, [n, n]) };
  const out = { c: new Tensor('float32', new Float32Array(n * n), [n, n]) };
  const times: number[] = [];
  try {
    await session.run(feeds, out);
    for (let i = 0; i < (o.reps ?? 10); i++) {
      const t = performance.now();
      await session.run(feeds, out);
      times.push((performance.now() - t) / 1000);
    }
  } finally {
    await session.release();
  }
  return (2 * n ** 3) / Math.min(...times);
}
