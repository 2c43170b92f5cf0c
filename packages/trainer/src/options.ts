// Options, hooks and summary of `train`, with defaults and validation. The CLI maps its
// flags onto `TrainOptions` one to one.

import { availableParallelism } from 'node:os';
import type { GPTConfig } from '@spinettai/model';
import { TrainOptionsError } from './errors.js';
import type { OptimizerMode } from './step.js';

/** Options of `train`. */
export interface TrainOptions {
  /** Folder with meta.json, train.bin, val.bin and tokenizer.json (from `spinettai tokenize`). */
  dataDir: string;
  /** Run folder: metrics.jsonl, loss.svg, checkpoints/{last,best}. */
  outDir: string;
  /** Model shape; vocabSize comes from meta.json. */
  model?: Partial<GPTConfig>;
  /** Windows per micro-batch (default 16). */
  batchSize?: number;
  /** Micro-batches per optimizer step (default 1). */
  gradAccum?: number;
  /** Optimizer steps in total (default 2000); also the length of the LR schedule. */
  steps?: number;
  /** Stop (with an evaluation and a checkpoint) after this many seconds of this invocation (default: no limit). */
  maxTimeSec?: number;
  /** Peak learning rate (default 1e-3). */
  lr?: number;
  /** Learning rate at the end of the cosine decay (default lr / 10). */
  minLr?: number;
  /** Linear warmup steps (default 100). */
  warmupSteps?: number;
  /** AdamW decoupled weight decay on 2-D weights (default 0.1). */
  weightDecay?: number;
  /** Global gradient-norm clip; 0 disables (default 1). */
  gradClip?: number;
  /** Dropout probability (default 0.1). */
  dropout?: number;
  /** Evaluate on the fixed validation windows every N steps (default 100). */
  evalEvery?: number;
  /** Batches in the evaluation set (default 8). */
  evalBatches?: number;
  /** Save checkpoints/last every N steps (default 500) and at the end. */
  saveEvery?: number;
  /** Seed of initialisation, batch sampling and dropout (default 1337). */
  seed?: number;
  /** Continue bit-identically from outDir/checkpoints/last. */
  resume?: boolean;
  /** Start from this checkpoint folder's weights with a fresh optimizer (fine-tuning). */
  initFrom?: string;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** Where AdamW runs (default 'fused'; see README for the measurements). */
  optimizer?: OptimizerMode;
  /** Stop early, like the time budget (evaluation + checkpoint), when this signal aborts (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

/** Progress of one optimizer step, for progress bars. */
export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsedSec: number;
  etaSec: number;
}

/** Callbacks of `train`; the library prints nothing itself. */
export interface TrainHooks {
  onStep?(info: StepInfo): void;
  onEval?(info: { step: number; trainLoss: number; valLoss: number }): void;
  onCheckpoint?(info: { step: number; kind: 'last' | 'best'; path: string }): void;
  onWarning?(message: string): void;
}

/** What `train` returns. */
export interface TrainSummary {
  /** Optimizer steps completed (including those of resumed runs). */
  step: number;
  steps: number;
  stoppedBy: 'steps' | 'time' | 'signal';
  trainLoss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
  bestStep: number | null;
  elapsedSec: number;
  tokensPerSec: number;
  params: number;
  config: GPTConfig;
  optimizer: OptimizerMode;
  outDir: string;
  lastCheckpoint: string;
  bestCheckpoint: string | null;
  metricsPath: string;
  lossCurvePath: string;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<TrainOptions, 'initFrom' | 'model' | 'maxTimeSec' | 'signal'>> & {
  initFrom: string | undefined;
  signal: AbortSignal | undefined;
  model: Partial<GPTConfig>;
  maxTimeSec: number;
};

function check(name: string, v: number, ok: (v: number) => boolean, what: string): void {
  if (typeof v !== 'number' || Number.isNaN(v) || !ok(v))
    throw new TrainOptionsError(`option ${name} = ${String(v)} is invalid: it must be ${what}`);
}

/** Fills defaults and validates; throws `TrainOptionsError` naming the option. */
export function resolveOptions(o: TrainOptions): ResolvedOptions {
  const lr = o.lr ?? 1e-3;
  const r: ResolvedOptions = {
    dataDir: o.dataDir,
    outDir: o.outDir,
    model: o.model ?? {},
    batchSize: o.batchSize ?? 16,
    gradAccum: o.gradAccum ?? 1,
    steps: o.steps ?? 2000,
    maxTimeSec: o.maxTimeSec ?? Number.POSITIVE_INFINITY,
    lr,
    minLr: o.minLr ?? lr / 10,
    warmupSteps: o.warmupSteps ?? 100,
    weightDecay: o.weightDecay ?? 0.1,
    gradClip: o.gradClip ?? 1,
    dropout: o.dropout ?? 0.1,
    evalEvery: o.evalEvery ?? 100,
    evalBatches: o.evalBatches ?? 8,
    saveEvery: o.saveEvery ?? 500,
    seed: o.seed ?? 1337,
    resume: o.resume ?? false,
    initFrom: o.initFrom,
    signal: o.signal,
    threads: o.threads ?? availableParallelism(),
    optimizer: o.optimizer ?? 'fused',
  };
  if (typeof r.dataDir !== 'string' || r.dataDir === '')
    throw new TrainOptionsError('option dataDir is required: the folder written by `spinettai tokenize`');
  if (typeof r.outDir !== 'string' || r.outDir === '')
    throw new TrainOptionsError('option outDir is required: the folder for checkpoints and metrics');
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  for (const k of [
    'batchSize',
    'gradAccum',
    'steps',
    'evalEvery',
    'evalBatches',
    'saveEvery',
    'threads',
  ] as const)
    check(k, r[k], posInt, 'a positive integer');
  check('warmupSteps', r.warmupSteps, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  check('lr', r.lr, (v) => v > 0 && Number.isFinite(v), 'a positive number');
  check('minLr', r.minLr, (v) => v >= 0 && v <= r.lr, `in [0, lr = ${r.lr}]`);
  check('weightDecay', r.weightDecay, (v) => v >= 0 && Number.isFinite(v), 'a number ≥ 0');
  check('gradClip', r.gradClip, (v) => v >= 0, 'a number ≥ 0 (0 disables clipping)');
  check('dropout', r.dropout, (v) => v >= 0 && v < 1, 'in [0, 1)');
  check('maxTimeSec', r.maxTimeSec, (v) => v > 0, 'a positive number of seconds');
  check('seed', r.seed, (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer in [0, 2^32)');
  if (r.optimizer !== 'fused' && r.optimizer !== 'separate')
    throw new TrainOptionsError(
      `option optimizer = '${String(r.optimizer)}' is invalid: use 'fused' or 'separate'`,
    );
  if (r.resume && r.initFrom !== undefined)
    throw new TrainOptionsError(
      'options resume and initFrom exclude each other: resume continues a run, initFrom starts a new one from weights',
    );
  return r;
}

/** The options that determine the numbers of a run (saved in trainer_state.json; snake_case). */
export function recordedOptions(r: ResolvedOptions): Record<string, unknown> {
  return {
    batch_size: r.batchSize,
    grad_accum: r.gradAccum,
    steps: r.steps,
    lr: r.lr,
    min_lr: r.minLr,
    warmup_steps: r.warmupSteps,
    weight_decay: r.weightDecay,
    grad_clip: r.gradClip,
    dropout: r.dropout,
    eval_every: r.evalEvery,
    eval_batches: r.evalBatches,
    save_every: r.saveEvery,
    seed: r.seed,
    optimizer: r.optimizer,
    init_from: r.initFrom ?? null,
  };
}
