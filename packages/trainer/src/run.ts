// One training run as an object with explicit state: where it started (fresh, resumed,
// fine-tuned), the step counter, the best validation loss, the loss history, and the
// onnxruntime sessions. `train()` opens a run, loops `trainOneStep` / `evaluate` /
// `saveLast`, and releases it.
//
// Exact resume: everything random is a function of saved state. Batches come from the
// sampler's SeededRandom (state checkpointed); dropout masks come from onnxruntime's per-session
// RNG, so the training sessions are rebuilt with seed deriveSeed(seed, step) right after
// every save of checkpoints/last — in an uninterrupted run too — and a resumed run builds
// them with the same seed. The losses of a resumed run therefore equal the original's.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { countParams, type GPTConfig, mergeLora, type Params } from '@spinettai/model';
import { type CheckpointContents, stateConfig, type TrainerState, writeCheckpoint } from './checkpoint.js';
import { type Batch, BatchSampler, type Dataset, evalBatches } from './data.js';
import { NonFiniteLossError } from './errors.js';
import type { Evaluator } from './evaluate.js';
import { GptTraining } from './gptTraining.js';
import { LossHistory } from './history.js';
import { type LoraSetup, writeLoraCheckpoint } from './lora.js';
import { appendMetrics, type MetricsRecord, truncateMetrics } from './metrics.js';
import {
  FREE_ON_RESUME,
  type ResolvedOptions,
  recordedOptions,
  type TrainHooks,
  type TrainSummary,
} from './options.js';
import { writeLossCurve } from './plot.js';
import { deriveSeed } from './rng.js';
import { type RunPaths, runPaths } from './runFolder.js';
import { learningRate } from './schedule.js';
import { startingPoint } from './start.js';
import type { TrainStep } from './step.js';

/** A training run in progress. Create with `TrainRun.open`, always `release()` it. */
export class TrainRun {
  /** Optimizer steps completed (including those of the run this one resumed). */
  step: number;
  private bestVal: number | null;
  private bestStep: number | null;
  private readonly elapsedBefore: number;
  private lastSaved: number;
  /** Loss curve points, mean train loss between evaluations, overfitting check. */
  private readonly history: LossHistory;
  /** Durations of the last 20 steps, for tokens/s and the ETA. */
  private readonly stepTimes: number[] = [];
  private tokensThisRun = 0;
  private trainSecThisRun = 0;
  private trainStep: TrainStep | undefined;
  private evaluator: Evaluator | undefined;
  private readonly tokensPerStep: number;

  private constructor(
    private readonly o: ResolvedOptions,
    private readonly hooks: TrainHooks,
    private readonly data: Dataset,
    readonly cfg: GPTConfig,
    private readonly model: GptTraining,
    private readonly sampler: BatchSampler,
    private readonly evalSet: readonly Batch[],
    private readonly paths: RunPaths,
    records: readonly MetricsRecord[],
    resumed: TrainerState | undefined,
    private readonly t0: number,
    /** Set for a LoRA run: checkpoints are adapter folders over this frozen base. */
    private readonly lora: LoraSetup | undefined,
  ) {
    this.step = resumed?.step ?? 0;
    this.bestVal = resumed?.best_val_loss ?? null;
    this.bestStep = resumed?.best_step ?? null;
    this.elapsedBefore = resumed?.elapsed_s ?? 0;
    this.lastSaved = resumed ? this.step : -1;
    this.history = new LossHistory(records);
    this.tokensPerStep = o.batchSize * cfg.blockSize * o.gradAccum;
  }

  /** Checks the starting point, builds graphs, store, sampler and sessions. */
  static async open(o: ResolvedOptions, hooks: TrainHooks, data: Dataset, t0: number): Promise<TrainRun> {
    const warn = async (m: string) => {
      await hooks.onWarning?.(m);
    };
    // train() has locked and vetted the folder (runFolder.ts): an earlier run is resumed or was deleted.
    const paths = runPaths(o.outDir);
    mkdirSync(dirname(paths.last), { recursive: true });
    const { cfg, params, resumed, lora } = await startingPoint(o, data, paths.last);
    const tokensPerStep = o.batchSize * cfg.blockSize * o.gradAccum;
    if (data.train.length < 4 * tokensPerStep)
      await warn(
        `train.bin has only ${data.train.length} tokens, less than 4 optimizer steps' worth (${tokensPerStep} each): the model will see the same lyrics over and over and overfit; use fewer \`steps\` or more songs`,
      );
    if (resumed !== undefined) {
      const saved = resumed.state.train_options;
      const now = recordedOptions(o);
      const changed = Object.keys(now).filter(
        (k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]) && !FREE_ON_RESUME.includes(k),
      );
      if (changed.length > 0)
        await warn(
          `resuming with different options (${changed.join(', ')}) than the checkpoint was trained with: the run will not reproduce an uninterrupted one`,
        );
    }
    const sampler = new BatchSampler(
      data.train,
      cfg.blockSize,
      o.batchSize,
      resumed
        ? { state: resumed.state.rng.sampler, drawn: resumed.state.rng.windows_drawn }
        : { seed: o.seed },
    );
    const history = resumed ? await truncateMetrics(paths.metrics, resumed.state.step) : [];
    if (!resumed) rmSync(paths.metrics, { force: true });
    const model = GptTraining.create(
      cfg,
      params,
      { batch: o.batchSize, optimizer: o.optimizer, accum: o.gradAccum, threads: o.threads },
      resumed,
      lora,
    );
    const evalWarnings: string[] = [];
    const evalSet = evalBatches(data, cfg.blockSize, o.batchSize, o.evalBatches, (m) => evalWarnings.push(m));
    const run = new TrainRun(
      o,
      hooks,
      data,
      cfg,
      model,
      sampler,
      evalSet,
      paths,
      history,
      resumed?.state,
      t0,
      lora,
    );
    try {
      run.trainStep = await model.newStep(deriveSeed(o.seed, run.step));
      run.evaluator = await model.newEvaluator();
      for (const m of evalWarnings) await warn(m);
    } catch (e) {
      await run.release();
      throw e;
    }
    return run;
  }

  /** Training seconds summed over this run and the runs it resumed. */
  private elapsed(): number {
    return this.elapsedBefore + (performance.now() - this.t0) / 1000;
  }

  /** Runs until `steps`, the time budget or the abort signal; saves and evaluates on the way. */
  async run(): Promise<TrainSummary> {
    const o = this.o;
    let stoppedBy: TrainSummary['stoppedBy'] = 'steps';
    while (this.step < o.steps) {
      if (o.signal?.aborted) {
        // Aborted before this invocation's first step (as generation ends before its first token).
        stoppedBy = 'signal';
        break;
      }
      const { lr, loss } = await this.trainOneStep();
      const runSec = (performance.now() - this.t0) / 1000;
      const aborted = o.signal?.aborted === true; // also when a hook aborted just now
      const outOfTime = runSec >= o.maxTimeSeconds || aborted;
      const last = this.step === o.steps || outOfTime;
      const valLoss = this.step % o.evalEvery === 0 || last ? await this.evaluate() : null;
      await this.log(lr, loss, valLoss);
      if (this.step % o.saveEvery === 0 || last) await this.saveLast();
      if (outOfTime && this.step < o.steps) {
        stoppedBy = aborted ? 'signal' : 'time';
        break;
      }
    }
    // Resumed at the final step (a run aborted before its first step saves nothing).
    if (this.lastSaved !== this.step && this.step > 0) await this.saveLast();
    return this.summary(stoppedBy);
  }

  private gradNorm = 0;
  private tokensPerSec = 0;

  /** One optimizer step: sample the batches, run forward + backward + AdamW, report it. */
  async trainOneStep(): Promise<{ lr: number; loss: number }> {
    const o = this.o;
    const lr = learningRate(this.step, {
      lr: o.lr,
      minLr: o.minLr,
      warmupSteps: o.warmupSteps,
      totalSteps: o.steps,
    });
    const batches: Batch[] = [];
    for (let i = 0; i < o.gradAccum; i++) batches.push(this.sampler.next());
    const ts = performance.now();
    const r = await this.trainStep!.run(batches, {
      t: this.step + 1,
      lr,
      weightDecay: o.weightDecay,
      gradClip: o.gradClip,
    });
    const dt = (performance.now() - ts) / 1000;
    const failed = !Number.isFinite(r.loss)
      ? 'loss'
      : !Number.isFinite(r.gradNorm)
        ? 'gradient norm'
        : undefined;
    if (failed !== undefined)
      throw new NonFiniteLossError(
        this.step + 1,
        failed,
        failed === 'loss' ? r.loss : r.gradNorm,
        existsSync(this.paths.last) ? this.paths.last : undefined,
      );
    this.step++;
    this.tokensThisRun += this.tokensPerStep;
    this.trainSecThisRun += dt;
    this.stepTimes.push(dt);
    if (this.stepTimes.length > 20) this.stepTimes.shift();
    const recent = this.stepTimes.reduce((a, b) => a + b, 0) / this.stepTimes.length;
    this.tokensPerSec = this.tokensPerStep / recent;
    this.gradNorm = r.gradNorm;
    this.history.addStep(r.loss);
    const runSec = (performance.now() - this.t0) / 1000;
    await this.hooks.onStep?.({
      step: this.step,
      steps: o.steps,
      loss: r.loss,
      lr,
      gradNorm: r.gradNorm,
      tokensPerSec: this.tokensPerSec,
      elapsedSeconds: this.elapsed(),
      etaSeconds: Math.min((o.steps - this.step) * recent, Math.max(0, o.maxTimeSeconds - runSec)),
    });
    return { lr, loss: r.loss };
  }

  /** Appends the step to metrics.jsonl and redraws loss.svg after an evaluation. */
  private async log(lr: number, loss: number, valLoss: number | null): Promise<void> {
    appendMetrics(this.paths.metrics, {
      step: this.step,
      lr,
      train_loss: loss,
      val_loss: valLoss,
      grad_norm: this.gradNorm,
      tokens_per_s: this.tokensPerSec,
      elapsed_s: this.elapsed(),
    });
    this.history.addPoints(this.step, loss, valLoss);
    if (valLoss !== null) await writeLossCurve(this.paths.lossCurve, this.history.points);
  }

  /** Validation loss on the fixed windows; keeps checkpoints/best and warns on overfitting. */
  async evaluate(): Promise<number> {
    const valLoss = await this.evaluator!.loss(this.evalSet);
    const isBest = this.bestVal === null || valLoss < this.bestVal;
    const { trainLoss, warning } = this.history.addEval(this.step, valLoss, isBest);
    await this.hooks.onEval?.({ step: this.step, trainLoss, valLoss, weights: () => this.weights() });
    if (warning !== undefined) await this.hooks.onWarning?.(warning);
    if (isBest) {
      this.bestVal = valLoss;
      this.bestStep = this.step;
      await this.saveBest();
    }
    return valLoss;
  }

  /** Writes checkpoints/last, then rebuilds the training sessions with the dropout seed of this step. */
  async saveLast(): Promise<void> {
    await this.write(this.paths.last);
    this.lastSaved = this.step;
    await this.hooks.onCheckpoint?.({ step: this.step, kind: 'last', path: this.paths.last });
    // Fresh dropout RNG from (seed, step), exactly what a resume from this checkpoint builds.
    if (this.cfg.dropout > 0) {
      await this.trainStep?.release();
      this.trainStep = undefined;
      this.trainStep = await this.model.newStep(deriveSeed(this.o.seed, this.step));
    }
  }

  /** Writes checkpoints/best. */
  async saveBest(): Promise<void> {
    await this.write(this.paths.best);
    await this.hooks.onCheckpoint?.({ step: this.step, kind: 'best', path: this.paths.best });
  }

  /** trainer_state.json of the current step. */
  state(): TrainerState {
    return {
      format: 'spinettai-trainer-state',
      version: 1,
      step: this.step,
      config: stateConfig(this.cfg),
      train_options: recordedOptions(this.o),
      rng: { sampler: [...this.sampler.state()], windows_drawn: this.sampler.drawn },
      tokenizer_sha256: this.data.meta.tokenizer_sha256,
      best_val_loss: this.bestVal,
      best_step: this.bestStep,
      dropout_seed: deriveSeed(this.o.seed, this.step),
      elapsed_s: this.elapsed(),
      optimizer_mode: this.o.optimizer,
    };
  }

  /** Writes a checkpoint folder: a GPT-2 folder, or for a LoRA run a PEFT adapter folder. */
  private async write(target: string): Promise<void> {
    const c = this.contents();
    if (this.lora === undefined) return writeCheckpoint(target, c);
    await writeLoraCheckpoint(target, {
      ...c,
      lora: this.lora.config,
      baseDir: this.lora.baseDir,
    });
  }

  /** The model's current weights; a LoRA run's adapter merged into its frozen base. */
  weights(): { config: GPTConfig; params: Params } {
    const params = this.model.store.export('p');
    if (this.lora === undefined) return { config: this.cfg, params };
    return { config: this.cfg, params: mergeLora(this.lora.base, params, this.cfg, this.lora.config) };
  }

  private contents(): CheckpointContents {
    const store = this.model.store;
    return {
      state: this.state(),
      config: this.cfg,
      params: store.export('p'),
      m: store.export('m'),
      v: store.export('v'),
      tokenizerDir: this.o.dataDir,
      eotTokenId: this.data.meta.eot_token_id,
    };
  }

  /** What `train` returns. */
  summary(stoppedBy: TrainSummary['stoppedBy']): TrainSummary {
    return {
      step: this.step,
      steps: this.o.steps,
      stoppedBy,
      trainLoss: this.history.lastTrainLoss,
      valLoss: this.history.lastValLoss,
      bestValLoss: this.bestVal,
      bestStep: this.bestStep,
      elapsedSeconds: this.elapsed(),
      tokensPerSec: this.trainSecThisRun > 0 ? this.tokensThisRun / this.trainSecThisRun : 0,
      params: countParams(this.cfg),
      config: this.cfg,
      optimizer: this.o.optimizer,
      outDir: this.o.outDir,
      lastCheckpoint: this.paths.last,
      bestCheckpoint: this.bestStep === null ? null : this.paths.best,
      metricsPath: this.paths.metrics,
      lossCurvePath: this.paths.lossCurve,
    };
  }

  /** Frees the onnxruntime sessions. */
  async release(): Promise<void> {
    await this.trainStep?.release();
    this.trainStep = undefined;
    await this.evaluator?.release();
    this.evaluator = undefined;
  }
}
