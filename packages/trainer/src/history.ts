// The loss history of a run: the points of the loss curve, the mean training loss between
// evaluations, and the overfitting check (validation loss up twice while training loss fell
// twice). Rebuilt from metrics.jsonl on resume, so the curve and the check span the whole run.

import type { MetricsRecord } from './metrics.js';
import type { LossPoint } from './plot.js';

/** Train/validation losses so far; no I/O. */
export class LossHistory {
  /** Points of loss.svg, in the order they were logged. */
  readonly points: LossPoint[] = [];
  /** (mean train loss since the previous evaluation, validation loss) of every evaluation. */
  private readonly evals: { train: number; val: number }[];
  private sinceEval: number[] = [];
  private overfitWarned = false;
  lastTrainLoss: number | null;
  lastValLoss: number | null;

  constructor(records: readonly MetricsRecord[] = []) {
    for (const r of records) {
      this.points.push({ step: r.step, split: 'train', loss: r.train_loss });
      if (r.val_loss !== null) this.points.push({ step: r.step, split: 'validation', loss: r.val_loss });
    }
    this.evals = records
      .filter((r) => r.val_loss !== null)
      .map((r) => ({ train: r.train_loss, val: r.val_loss! }));
    this.lastTrainLoss = records.at(-1)?.train_loss ?? null;
    this.lastValLoss = this.evals.at(-1)?.val ?? null;
  }

  /** Records the loss of one optimizer step. */
  addStep(loss: number): void {
    this.sinceEval.push(loss);
    this.lastTrainLoss = loss;
  }

  /**
   * Records an evaluation; returns the mean training loss since the previous one and, the
   * first time the run starts overfitting, a warning to show.
   */
  addEval(step: number, valLoss: number, isBest: boolean): { trainLoss: number; warning?: string } {
    const trainLoss = this.sinceEval.reduce((a, b) => a + b, 0) / Math.max(1, this.sinceEval.length);
    this.sinceEval = [];
    this.evals.push({ train: trainLoss, val: valLoss });
    this.lastValLoss = valLoss;
    let warning: string | undefined;
    const k = this.evals.length;
    if (k >= 3 && !this.overfitWarned) {
      const [a, b, c] = [this.evals[k - 3]!, this.evals[k - 2]!, this.evals[k - 1]!];
      if (c.val > b.val && b.val > a.val && c.train < b.train && b.train < a.train) {
        this.overfitWarned = true;
        warning = `validation loss has risen for 2 evaluations (${a.val.toFixed(3)} → ${c.val.toFixed(3)}) while training loss fell (step ${step}): the model is overfitting; checkpoints/best keeps the best weights, consider stopping, more dropout or fewer steps`;
      }
    }
    if (isBest) this.overfitWarned = false;
    return warning === undefined ? { trainLoss } : { trainLoss, warning };
  }

  /** Adds the step's points to the loss curve (validation only at evaluations). */
  addPoints(step: number, trainLoss: number, valLoss: number | null): void {
    this.points.push({ step, split: 'train', loss: trainLoss });
    if (valLoss !== null) this.points.push({ step, split: 'validation', loss: valLoss });
  }
}
