// Options, hooks and summary of `train`, with the defaults (one exported object, which
// the CLI shows in --help) and validation. Unknown keys are rejected, so a typo such as
// `train({ stpes: 10 })` fails instead of silently training 2,000 default steps.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  DEFAULT_GPT_CONFIG,
  type GPTConfig,
  InvalidOptionError,
  type LoraConfig,
  type LoraOptions,
  type Params,
  resolveLora,
} from '@spinettai/model';
import { TrainOptionsError } from './errors.js';
import type { OptimizerMode } from './step.js';

/** The model shape a run trains; vocabSize always comes from the dataset's meta.json. */
export interface ModelShape {
  /** Transformer blocks. */
  nLayer?: number | undefined;
  /** Attention heads per block; must divide nEmbd. */
  nHead?: number | undefined;
  /** Residual width. */
  nEmbd?: number | undefined;
  /** Context length in tokens. */
  blockSize?: number | undefined;
}

/** Every default of `train`, in one place (the CLI's flags show these). */
export const TRAIN_DEFAULTS = Object.freeze({
  model: Object.freeze({
    nLayer: DEFAULT_GPT_CONFIG.nLayer, // 4 transformer blocks
    nHead: DEFAULT_GPT_CONFIG.nHead, // 4 heads
    nEmbd: DEFAULT_GPT_CONFIG.nEmbd, // 256 wide
    blockSize: DEFAULT_GPT_CONFIG.blockSize, // 128 tokens of context
  }),
  batchSize: 16, // windows per micro-batch
  gradAccum: 1, // micro-batches per optimizer step
  steps: 2000, // optimizer steps (also the length of the LR schedule)
  lr: 1e-3, // peak learning rate
  minLrRatio: 0.1, // minLr = lr · minLrRatio unless minLr is given
  warmupSteps: 100, // linear warm-up steps
  weightDecay: 0.1, // AdamW decoupled weight decay on 2-D weights
  gradClip: 1, // global gradient-norm clip; 0 disables
  dropout: DEFAULT_GPT_CONFIG.dropout, // 0.1
  evalEvery: 100, // steps between evaluations
  evalBatches: 8, // batches in the fixed validation set
  saveEvery: 200, // steps between saves of checkpoints/last
  seed: 1337, // seed of initialisation, batch sampling and dropout
  optimizer: 'fused' as OptimizerMode, // AdamW inside the backward graph
});

/** Options of `train`. Every optional key also accepts `undefined` (= the default). */
export interface TrainOptions {
  /** Folder with meta.json, train.bin, val.bin and tokenizer.json (from `spinettai tokenize`). */
  dataDir: string;
  /** Run folder: metrics.jsonl, loss.svg, checkpoints/{last,best}. */
  outDir: string;
  /**
   * Model shape of a new run (default `TRAIN_DEFAULTS.model`); vocabSize comes from meta.json.
   * With `resume` or `initFrom` the checkpoint's shape is used and a field given here must match it.
   */
  model?: ModelShape | undefined;
  /** Windows per micro-batch (default 16). */
  batchSize?: number | undefined;
  /** Micro-batches per optimizer step (default 1). */
  gradAccum?: number | undefined;
  /** Optimizer steps in total (default 2000); also the length of the LR schedule. */
  steps?: number | undefined;
  /** Stop (with an evaluation and a checkpoint) after this many seconds of this invocation (default: no limit). */
  maxTimeSeconds?: number | undefined;
  /** Peak learning rate (default 1e-3). */
  lr?: number | undefined;
  /** Learning rate at the end of the cosine decay (default lr / 10). */
  minLr?: number | undefined;
  /** Linear warmup steps (default 100). */
  warmupSteps?: number | undefined;
  /** AdamW decoupled weight decay on 2-D weights (default 0.1). */
  weightDecay?: number | undefined;
  /** Global gradient-norm clip; 0 disables (default 1). */
  gradClip?: number | undefined;
  /** Dropout probability in [0, 1) (default 0.1); the only place dropout is set. */
  dropout?: number | undefined;
  /** Evaluate on the fixed validation windows every N steps (default 100). */
  evalEvery?: number | undefined;
  /** Batches in the evaluation set (default 8). */
  evalBatches?: number | undefined;
  /** Save checkpoints/last every N steps (default 200) and at the end. */
  saveEvery?: number | undefined;
  /** Seed of initialisation, batch sampling and dropout (default 1337). */
  seed?: number | undefined;
  /** Continue bit-identically from outDir/checkpoints/last. */
  resume?: boolean | undefined;
  /** Start over in an `outDir` that holds a run: delete its metrics, loss curve and checkpoints (only files spinettai wrote). */
  overwrite?: boolean | undefined;
  /** Start from this checkpoint folder's weights with a fresh optimizer (fine-tuning). */
  initFrom?: string | undefined;
  /** With initFrom: accept a checkpoint whose tokenizer.json differs from the dataset's (default false). */
  allowTokenizerMismatch?: boolean | undefined;
  /**
   * With initFrom: train a LoRA adapter (PEFT defaults: alpha 8, targets ['c_attn'], dropout 0)
   * instead of all weights; the base stays frozen and checkpoints are PEFT adapter folders.
   */
  lora?: LoraOptions | undefined;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number | undefined;
  /** Where AdamW runs (default 'fused'; see README for the measurements). */
  optimizer?: OptimizerMode | undefined;
  /** Stop early, like the time budget (evaluation + checkpoint), when this signal aborts (e.g. on Ctrl-C). */
  signal?: AbortSignal | undefined;
}

/** Progress of one optimizer step, for progress bars. */
export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSec: number;
  elapsedSeconds: number;
  /** Seconds left until the last step or the time budget, whichever comes first. */
  etaSeconds: number;
}

/**
 * Callbacks of `train`; the library prints nothing itself. A callback may return a
 * promise: training waits for it (its value is ignored). A callback that throws or rejects
 * stops training with that error. To stop cleanly instead, abort `signal`.
 */
export interface TrainHooks {
  onStep?: ((info: StepInfo) => unknown) | undefined;
  /** After each evaluation; `weights()` gives the model's current weights (a LoRA run's merged into its base). */
  onEval?:
    | ((info: {
        step: number;
        trainLoss: number;
        valLoss: number;
        weights: () => { config: GPTConfig; params: Params };
      }) => unknown)
    | undefined;
  onCheckpoint?: ((info: { step: number; kind: 'last' | 'best'; path: string }) => unknown) | undefined;
  onWarning?: ((message: string) => unknown) | undefined;
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
  elapsedSeconds: number;
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
export interface ResolvedOptions {
  dataDir: string;
  outDir: string;
  /** The shape fields the caller gave (defaults are filled when a new model is created). */
  model: ModelShape;
  batchSize: number;
  gradAccum: number;
  steps: number;
  maxTimeSeconds: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  gradClip: number;
  dropout: number;
  evalEvery: number;
  evalBatches: number;
  saveEvery: number;
  seed: number;
  resume: boolean;
  overwrite: boolean;
  initFrom: string | undefined;
  allowTokenizerMismatch: boolean;
  lora: LoraConfig | undefined;
  threads: number;
  optimizer: OptimizerMode;
  signal: AbortSignal | undefined;
}

const OPTION_KEYS: readonly (keyof TrainOptions)[] = [
  'dataDir',
  'outDir',
  'model',
  'batchSize',
  'gradAccum',
  'steps',
  'maxTimeSeconds',
  'lr',
  'minLr',
  'warmupSteps',
  'weightDecay',
  'gradClip',
  'dropout',
  'evalEvery',
  'evalBatches',
  'saveEvery',
  'seed',
  'resume',
  'overwrite',
  'initFrom',
  'allowTokenizerMismatch',
  'lora',
  'threads',
  'optimizer',
  'signal',
];
const MODEL_KEYS: readonly (keyof ModelShape)[] = ['nLayer', 'nHead', 'nEmbd', 'blockSize'];
const HOOK_KEYS: readonly (keyof TrainHooks)[] = ['onStep', 'onEval', 'onCheckpoint', 'onWarning'];

/** Why a key that looks like it belongs somewhere else is refused. */
const MISPLACED: Record<string, string> = {
  'model.dropout': 'set the top-level option `dropout` instead',
  'model.vocabSize': "the vocabulary size comes from the dataset's meta.json; leave it out",
  'model.layerNormEps': 'GPT-2 uses 1e-5; it is not an option of train',
};

/**
 * Throws `TrainOptionsError` naming every key of `obj` that `known` does not list.
 * `where` prefixes the names (e.g. `model.`).
 */
export function rejectUnknownKeys(obj: object, known: readonly string[], where = ''): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const names = unknown.map((k) => `${where}${k}`);
  const quoted = names.map((n) => `\`${n}\``);
  const hints = names.map((n) => MISPLACED[n]).filter((h) => h !== undefined);
  throw new TrainOptionsError(
    `unknown option${names.length > 1 ? 's' : ''} ${quoted.join(', ')}` +
      (hints.length > 0
        ? `: ${hints.join('; ')}`
        : `; known ${where === '' ? 'options' : `${where} keys`}: ${known.join(', ')}`),
    names[0],
  );
}

function check(name: string, v: unknown, ok: (v: number) => boolean, what: string): void {
  if (typeof v !== 'number' || Number.isNaN(v) || !ok(v))
    throw new TrainOptionsError(`option \`${name}\` = ${String(v)} is invalid: it must be ${what}`, name);
}

/** Checks the hook object: only known keys, each a function. */
export function checkHooks(hooks: TrainHooks): void {
  if (typeof hooks !== 'object' || hooks === null)
    throw new TrainOptionsError('hooks must be an object of callbacks', 'hooks');
  rejectUnknownKeys(hooks, HOOK_KEYS, 'hooks.');
  for (const k of HOOK_KEYS) {
    const h = hooks[k];
    if (h !== undefined && typeof h !== 'function')
      throw new TrainOptionsError(`\`hooks.${k}\` must be a function`, `hooks.${k}`);
  }
}

/** Fills defaults and validates; throws `TrainOptionsError` naming the option. */
export function resolveOptions(o: TrainOptions): ResolvedOptions {
  if (typeof o !== 'object' || o === null)
    throw new TrainOptionsError('train needs an options object with dataDir and outDir', 'options');
  rejectUnknownKeys(o, OPTION_KEYS);
  const model = o.model ?? {};
  if (typeof model !== 'object' || model === null)
    throw new TrainOptionsError('option `model` must be an object of shape fields', 'model');
  rejectUnknownKeys(model, MODEL_KEYS, 'model.');
  const D = TRAIN_DEFAULTS;
  const lr = o.lr ?? D.lr;
  const r: ResolvedOptions = {
    dataDir: o.dataDir,
    outDir: o.outDir,
    model: Object.fromEntries(Object.entries(model).filter(([, v]) => v !== undefined)),
    batchSize: o.batchSize ?? D.batchSize,
    gradAccum: o.gradAccum ?? D.gradAccum,
    steps: o.steps ?? D.steps,
    maxTimeSeconds: o.maxTimeSeconds ?? Number.POSITIVE_INFINITY,
    lr,
    minLr: o.minLr ?? lr * D.minLrRatio,
    warmupSteps: o.warmupSteps ?? D.warmupSteps,
    weightDecay: o.weightDecay ?? D.weightDecay,
    gradClip: o.gradClip ?? D.gradClip,
    dropout: o.dropout ?? D.dropout,
    evalEvery: o.evalEvery ?? D.evalEvery,
    evalBatches: o.evalBatches ?? D.evalBatches,
    saveEvery: o.saveEvery ?? D.saveEvery,
    seed: o.seed ?? D.seed,
    resume: o.resume ?? false,
    overwrite: o.overwrite ?? false,
    initFrom: o.initFrom,
    allowTokenizerMismatch: o.allowTokenizerMismatch ?? false,
    lora: resolveLoraOption(o.lora),
    signal: o.signal,
    threads: o.threads ?? availableParallelism(),
    optimizer: o.optimizer ?? D.optimizer,
  };
  if (typeof r.dataDir !== 'string' || r.dataDir === '')
    throw new TrainOptionsError(
      'option `dataDir` is required: the folder written by `spinettai tokenize`',
      'dataDir',
    );
  if (typeof r.outDir !== 'string' || r.outDir === '')
    throw new TrainOptionsError(
      'option `outDir` is required: the folder for checkpoints and metrics',
      'outDir',
    );
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
  for (const k of MODEL_KEYS)
    if (r.model[k] !== undefined) check(`model.${k}`, r.model[k], posInt, 'a positive integer');
  check('warmupSteps', r.warmupSteps, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  check('lr', r.lr, (v) => v > 0 && Number.isFinite(v), 'a positive number');
  check('minLr', r.minLr, (v) => v >= 0 && v <= r.lr, `in [0, \`lr\` = ${r.lr}]`);
  check('weightDecay', r.weightDecay, (v) => v >= 0 && Number.isFinite(v), 'a number ≥ 0');
  check('gradClip', r.gradClip, (v) => v >= 0 && Number.isFinite(v), 'a number ≥ 0 (0 disables clipping)');
  check('dropout', r.dropout, (v) => v >= 0 && v < 1, 'in [0, 1)');
  check('maxTimeSeconds', r.maxTimeSeconds, (v) => v > 0, 'a positive number of seconds');
  check('seed', r.seed, (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer in [0, 2^32)');
  for (const k of ['resume', 'overwrite', 'allowTokenizerMismatch'] as const)
    if (typeof r[k] !== 'boolean') throw new TrainOptionsError(`option \`${k}\` must be true or false`, k);
  if (r.initFrom !== undefined && (typeof r.initFrom !== 'string' || r.initFrom === ''))
    throw new TrainOptionsError('option `initFrom` must be the path of a checkpoint folder', 'initFrom');
  if (r.signal !== undefined && !(r.signal instanceof AbortSignal))
    throw new TrainOptionsError('option `signal` must be an AbortSignal', 'signal');
  if (r.optimizer !== 'fused' && r.optimizer !== 'separate')
    throw new TrainOptionsError(
      `option \`optimizer\` = '${String(r.optimizer)}' is invalid: use 'fused' or 'separate'`,
      'optimizer',
    );
  if (r.resume && r.overwrite)
    throw new TrainOptionsError(
      'options `resume` and `overwrite` exclude each other: `resume` continues the run in `outDir`, `overwrite` replaces it',
      'overwrite',
    );
  if (r.lora !== undefined && r.initFrom === undefined && !r.resume)
    throw new TrainOptionsError(
      'option `lora` adapts a pretrained model: give `initFrom` (the base model folder) too',
      'lora',
    );
  if (r.lora !== undefined && r.optimizer !== 'fused')
    throw new TrainOptionsError(
      "option `lora` needs `optimizer` 'fused' (an adapter has no undecayed tensors for the separate optimizer graph)",
      'optimizer',
    );
  if (r.resume && r.initFrom !== undefined)
    throw new TrainOptionsError(
      'options `resume` and `initFrom` exclude each other: `resume` continues a run, `initFrom` starts a new one from weights',
      'initFrom',
    );
  return r;
}

/** `lora` validated by the model package's resolveLora, its errors named as trainer options. */
function resolveLoraOption(lora: LoraOptions | undefined): LoraConfig | undefined {
  if (lora === undefined) return undefined;
  if (typeof lora !== 'object' || lora === null)
    throw new TrainOptionsError('option `lora` must be an object such as { rank: 8 }', 'lora');
  try {
    return resolveLora(lora);
  } catch (e) {
    if (!(e instanceof InvalidOptionError)) throw e;
    const option = e.option ?? 'lora';
    const why = e.message.replace(/^invalid option '[^']*': /, '');
    throw new TrainOptionsError(`option \`${option}\` is invalid: ${why}`, option, { cause: e });
  }
}

/** The options that determine the numbers of a run (saved in trainer_state.json; snake_case). */
export function recordedOptions(r: ResolvedOptions): Record<string, unknown> {
  return {
    data_dir: resolve(r.dataDir), // where generate/eval/serve find the corpus (the copied-lyrics guard)
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
    allow_tokenizer_mismatch: r.allowTokenizerMismatch,
    ...(r.lora === undefined ? {} : { lora: { ...r.lora, targets: [...r.lora.targets] } }),
    max_time_s: Number.isFinite(r.maxTimeSeconds) ? r.maxTimeSeconds : null,
    threads: r.threads,
  };
}

/** Recorded options that may change between a run and its resumption without a warning. */
export const FREE_ON_RESUME: readonly string[] = [
  'data_dir',
  'steps',
  'init_from',
  'allow_tokenizer_mismatch',
  'max_time_s',
  'threads',
];
