// The training loop: data → TrainStep (forward + backward + AdamW in onnxruntime) →
// metrics.jsonl, loss.svg, checkpoints/{last,best}. Quiet except through hooks.
//
// Exact resume: everything random is a function of saved state. Batches come from the
// sampler's SeededRandom (state checkpointed); dropout masks come from onnxruntime's per-session
// RNG, so the training sessions are rebuilt with seed deriveSeed(seed, step) right after
// every save of checkpoints/last — in an uninterrupted run too — and a resumed run builds
// them with the same seed. The losses of a resumed run therefore equal the original's.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@spinettai/graph';
import { buildGptGraph, countParams, paramShapes, reseedDropout } from '@spinettai/model';
import { type CheckpointContents, stateConfig, type TrainerState, writeCheckpoint } from './checkpoint.js';
import { type Batch, BatchSampler, evalBatches, loadDataset } from './data.js';
import { DatasetError, NonFiniteLossError } from './errors.js';
import { Evaluator } from './evaluate.js';
import { appendMetrics, type MetricsRecord, truncateMetrics } from './metrics.js';
import {
  recordedOptions,
  resolveOptions,
  type TrainHooks,
  type TrainOptions,
  type TrainSummary,
} from './options.js';
import { ParamStore } from './paramStore.js';
import { type LossPoint, writeLossCurve } from './plot.js';
import { learningRate } from './schedule.js';
import { sha256File, startingPoint } from './start.js';
import { type ModelIO, TrainStep } from './step.js';

const IO: ModelIO = { inputIds: 'input_ids', targets: 'targets', loss: 'loss' };

/** Stream ids of the per-step dropout seeds: a range of their own, apart from the sampler's. */
const DROPOUT_STREAM_BASE = 0x40000000;

/** The 31-bit dropout seed of the training sessions built at `step` of a run with `seed`. */
export function deriveSeed(seed: number, step: number): number {
  return new SeededRandom(seed, DROPOUT_STREAM_BASE + step).nextUint32() & 0x7fffffff;
}

/**
 * Trains a GPT-2 on a tokenized dataset. Resolves with a summary; rejects with a typed
 * error (TrainOptionsError, DatasetError, CheckpointMismatchError, NonFiniteLossError).
 */
export async function train(options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainSummary> {
  const t0 = performance.now();
  const o = resolveOptions(options);
  const warn = (m: string) => hooks.onWarning?.(m);
  const data = loadDataset(o.dataDir);
  const tokPath = join(o.dataDir, 'tokenizer.json');
  if (existsSync(tokPath) && sha256File(tokPath) !== data.meta.tokenizer_sha256) {
    throw new DatasetError(
      `${tokPath} does not match meta.json's tokenizer_sha256: the tokenizer changed after the dataset was built; re-run \`spinettai tokenize\``,
    );
  }
  const ckRoot = join(o.outDir, 'checkpoints');
  const lastDir = join(ckRoot, 'last');
  const bestDir = join(ckRoot, 'best');
  const metricsPath = join(o.outDir, 'metrics.jsonl');
  const svgPath = join(o.outDir, 'loss.svg');
  mkdirSync(ckRoot, { recursive: true });

  const { cfg, params, resumed } = await startingPoint(o, data, lastDir);
  if (!resumed && existsSync(lastDir))
    warn(
      `${o.outDir} already holds a run; starting a new one replaces its checkpoints and metrics (use --resume to continue it)`,
    );
  const T = cfg.blockSize;
  const B = o.batchSize;
  const tokensPerStep = B * T * o.gradAccum;
  if (data.train.length < 4 * tokensPerStep) {
    warn(
      `train.bin has only ${data.train.length} tokens, less than 4 optimizer steps' worth (${tokensPerStep} each): the model will see the same lyrics over and over and overfit; use fewer --steps or more songs`,
    );
  }
  if (resumed !== undefined) {
    const saved = resumed.state.train_options;
    const now = recordedOptions(o);
    const changed = Object.keys(now).filter(
      (k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]) && k !== 'steps' && k !== 'init_from',
    );
    if (changed.length > 0)
      warn(
        `resuming with different options (${changed.join(', ')}) than the checkpoint was trained with: the run will not reproduce an uninterrupted one`,
      );
  }

  let step = resumed?.state.step ?? 0;
  let bestVal = resumed?.state.best_val_loss ?? null;
  let bestStep = resumed?.state.best_step ?? null;
  const elapsedBefore = resumed?.state.elapsed_s ?? 0;
  const sampler = new BatchSampler(
    data.train,
    T,
    B,
    resumed ? { state: resumed.state.rng.sampler, drawn: resumed.state.rng.windows_drawn } : { seed: o.seed },
  );
  const history: MetricsRecord[] = resumed ? await truncateMetrics(metricsPath, step) : [];
  if (!resumed) rmSync(metricsPath, { force: true });

  const store = new ParamStore(paramShapes(cfg), o.optimizer === 'separate' || o.gradAccum > 1);
  store.load('p', params);
  if (resumed) {
    store.load('m', resumed.m);
    store.load('v', resumed.v);
  }
  const trainGraph = buildGptGraph(cfg, {
    batch: B,
    seqLen: T,
    params: 'inputs',
    targets: true,
    logits: false,
    dropout: cfg.dropout > 0 ? { seed: 0 } : false,
  }).graph;
  const evalGraph = buildGptGraph(cfg, {
    batch: B,
    seqLen: T,
    params: 'inputs',
    targets: true,
    logits: false,
  }).graph;
  const sessionOpts = { batch: B, seqLen: T, threads: o.threads };
  const makeStep = (dropoutSeed: number) =>
    TrainStep.create((seed) => reseedDropout(trainGraph, seed), IO, store, {
      ...sessionOpts,
      mode: o.optimizer,
      accum: o.gradAccum,
      dropoutSeed,
    });
  let dropoutSeed = deriveSeed(o.seed, step);
  let trainStep = await makeStep(dropoutSeed);
  const evaluator = await Evaluator.create(evalGraph, IO, store, sessionOpts);
  const evalSet = evalBatches(data, T, B, o.evalBatches, warn);

  const points: LossPoint[] = [];
  for (const r of history) {
    points.push({ step: r.step, split: 'train', loss: r.train_loss });
    if (r.val_loss !== null) points.push({ step: r.step, split: 'validation', loss: r.val_loss });
  }
  const evals = history
    .filter((r) => r.val_loss !== null)
    .map((r) => ({ train: r.train_loss, val: r.val_loss! }));
  let sinceEval: number[] = [];
  let overfitWarned = false;
  let lastSaved = resumed ? step : -1;
  let lastTrainLoss: number | null = history.at(-1)?.train_loss ?? null;
  let lastValLoss: number | null = evals.at(-1)?.val ?? null;
  const stepTimes: number[] = [];
  let tokensThisRun = 0;
  let trainSecThisRun = 0;
  const elapsed = () => elapsedBefore + (performance.now() - t0) / 1000;

  const state = (): TrainerState => ({
    format: 'spinettai-trainer-state',
    version: 1,
    step,
    config: stateConfig(cfg),
    train_options: recordedOptions(o),
    rng: { sampler: [...sampler.state()], windows_drawn: sampler.drawn },
    tokenizer_sha256: data.meta.tokenizer_sha256,
    best_val_loss: bestVal,
    best_step: bestStep,
    dropout_seed: deriveSeed(o.seed, step),
    elapsed_s: elapsed(),
    optimizer_mode: o.optimizer,
  });
  const contents = (): CheckpointContents => ({
    state: state(),
    config: cfg,
    params: store.export('p'),
    m: store.export('m'),
    v: store.export('v'),
    tokenizerDir: o.dataDir,
    eotTokenId: data.meta.eot_token_id,
  });
  const saveLast = async () => {
    await writeCheckpoint(lastDir, contents());
    lastSaved = step;
    hooks.onCheckpoint?.({ step, kind: 'last', path: lastDir });
    // Fresh dropout RNG from (seed, step), exactly what a resume from this checkpoint builds.
    if (cfg.dropout > 0) {
      await trainStep.release();
      dropoutSeed = deriveSeed(o.seed, step);
      trainStep = await makeStep(dropoutSeed);
    }
  };
  const evaluate = async (): Promise<number> => {
    const valLoss = await evaluator.loss(evalSet);
    const trainLoss = sinceEval.reduce((a, b) => a + b, 0) / Math.max(1, sinceEval.length);
    sinceEval = [];
    evals.push({ train: trainLoss, val: valLoss });
    lastValLoss = valLoss;
    hooks.onEval?.({ step, trainLoss, valLoss });
    const k = evals.length;
    if (k >= 3 && !overfitWarned) {
      const [a, b, c] = [evals[k - 3]!, evals[k - 2]!, evals[k - 1]!];
      if (c.val > b.val && b.val > a.val && c.train < b.train && b.train < a.train) {
        overfitWarned = true;
        warn(
          `validation loss has risen for 2 evaluations (${a.val.toFixed(3)} → ${c.val.toFixed(3)}) while training loss fell (step ${step}): the model is overfitting; checkpoints/best keeps the best weights, consider stopping, more dropout or fewer steps`,
        );
      }
    }
    if (bestVal === null || valLoss < bestVal) {
      bestVal = valLoss;
      bestStep = step;
      overfitWarned = false;
      await writeCheckpoint(bestDir, contents());
      hooks.onCheckpoint?.({ step, kind: 'best', path: bestDir });
    }
    return valLoss;
  };

  let stoppedBy: TrainSummary['stoppedBy'] = 'steps';
  try {
    while (step < o.steps) {
      const lr = learningRate(step, {
        lr: o.lr,
        minLr: o.minLr,
        warmupSteps: o.warmupSteps,
        totalSteps: o.steps,
      });
      const batches: Batch[] = [];
      for (let i = 0; i < o.gradAccum; i++) batches.push(sampler.next());
      const ts = performance.now();
      const r = await trainStep.run(batches, {
        t: step + 1,
        lr,
        weightDecay: o.weightDecay,
        gradClip: o.gradClip,
      });
      const dt = (performance.now() - ts) / 1000;
      const failed = !Number.isFinite(r.loss)
        ? ('loss' as const)
        : !Number.isFinite(r.gradNorm)
          ? ('gradient norm' as const)
          : undefined;
      if (failed !== undefined)
        throw new NonFiniteLossError(
          step + 1,
          failed,
          failed === 'loss' ? r.loss : r.gradNorm,
          existsSync(lastDir) ? lastDir : undefined,
        );
      step++;
      tokensThisRun += tokensPerStep;
      trainSecThisRun += dt;
      stepTimes.push(dt);
      if (stepTimes.length > 20) stepTimes.shift();
      const recent = stepTimes.reduce((a, b) => a + b, 0) / stepTimes.length;
      const tokensPerSec = tokensPerStep / recent;
      sinceEval.push(r.loss);
      lastTrainLoss = r.loss;
      const runSec = (performance.now() - t0) / 1000;
      const etaSec = Math.min((o.steps - step) * recent, Math.max(0, o.maxTimeSec - runSec));
      hooks.onStep?.({
        step,
        steps: o.steps,
        loss: r.loss,
        lr,
        gradNorm: r.gradNorm,
        tokensPerSec,
        elapsedSec: elapsed(),
        etaSec,
      });
      const aborted = o.signal?.aborted === true; // also when a hook aborted just now
      const outOfTime = runSec >= o.maxTimeSec || aborted;
      const last = step === o.steps || outOfTime;
      let valLoss: number | null = null;
      if (step % o.evalEvery === 0 || last) valLoss = await evaluate();
      const rec: MetricsRecord = {
        step,
        lr,
        train_loss: r.loss,
        val_loss: valLoss,
        grad_norm: r.gradNorm,
        tokens_per_s: tokensPerSec,
        elapsed_s: elapsed(),
      };
      appendMetrics(metricsPath, rec);
      points.push({ step, split: 'train', loss: r.loss });
      if (valLoss !== null) {
        points.push({ step, split: 'validation', loss: valLoss });
        await writeLossCurve(svgPath, points);
      }
      if (step % o.saveEvery === 0 || last) await saveLast();
      if (outOfTime && step < o.steps) {
        stoppedBy = aborted ? 'signal' : 'time';
        break;
      }
    }
    if (lastSaved !== step) await saveLast(); // resumed at or past the final step
  } finally {
    await trainStep.release();
    await evaluator.release();
  }
  return {
    step,
    steps: o.steps,
    stoppedBy,
    trainLoss: lastTrainLoss,
    valLoss: lastValLoss,
    bestValLoss: bestVal,
    bestStep,
    elapsedSec: elapsed(),
    tokensPerSec: trainSecThisRun > 0 ? tokensThisRun / trainSecThisRun : 0,
    params: countParams(cfg),
    config: cfg,
    optimizer: o.optimizer,
    outDir: o.outDir,
    lastCheckpoint: lastDir,
    bestCheckpoint: bestStep === null ? null : bestDir,
    metricsPath,
    lossCurvePath: svgPath,
  };
}
