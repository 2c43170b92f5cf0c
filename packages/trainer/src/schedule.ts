// Learning-rate schedule: linear warmup from 0 to `lr` over `warmupSteps`, then cosine
// decay to `minLr` at `totalSteps` (and `minLr` after). The same shape as nanoGPT's
// get_lr; cosine annealing from Loshchilov & Hutter, "SGDR" (https://arxiv.org/abs/1608.03983).

/** Parameters of the learning-rate schedule. */
export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  /** Floor reached at the end of the cosine decay. */
  minLr: number;
  /** Steps of linear warmup (0 = start at `lr`). */
  warmupSteps: number;
  /** Step at which the decay reaches `minLr`. */
  totalSteps: number;
}

/** Learning rate for a 0-based optimizer step. */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const decaySteps = o.totalSteps - o.warmupSteps;
  if (decaySteps <= 0 || step >= o.totalSteps) return o.minLr;
  const progress = (step - o.warmupSteps) / decaySteps; // in [0, 1)
  const coeff = 0.5 * (1 + Math.cos(Math.PI * progress)); // 1 → 0
  return o.minLr + coeff * (o.lr - o.minLr);
}
