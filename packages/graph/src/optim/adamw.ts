// AdamW with global-norm gradient clipping, written as standard ONNX ops so the update
// runs inside onnxruntime (either fused into the training graph or as its own graph).
// Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (https://arxiv.org/abs/1711.05101);
// Adam: Kingma & Ba (https://arxiv.org/abs/1412.6980). Same update as torch.optim.AdamW:
//
//   g      = grad · gradScale · min(1, maxNorm / (‖grad · gradScale‖₂ + 1e-6))
//   m      = β1·m + (1−β1)·g
//   v      = β2·v + (1−β2)·g²
//   p      = p·(1 − lr·wd)  −  (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
//          = p·(1 − lr·wd)  −  (lr·√(1−β2ᵗ) / (1−β1ᵗ)) · m / (√v + ε·√(1−β2ᵗ))   (as computed)
//
// Each op is a full pass over the parameters (memory-bound), so the scalars are folded
// to keep it at 13 passes per tensor (12 without decay).
// Weight decay applies to 2-D weights only (matmul weights and embeddings), not to biases
// or LayerNorm gains. The per-step scalars, β1 and β2 included, are graph inputs computed
// here in float64, so one graph serves any hyper-parameters.

import type { GraphBuilder, Value } from '../builder.js';
import { GraphError } from '../errors.js';

/** Default AdamW hyper-parameters (GPT-2/nanoGPT values; torch's defaults are β2 0.999). */
export const ADAMW = { beta1: 0.9, beta2: 0.95, eps: 1e-8 } as const;

/** Names of the scalar graph inputs that drive one AdamW step. */
export const OPT_INPUTS = [
  'opt_grad_scale',
  'opt_max_norm',
  'opt_step_size',
  'opt_eps',
  'opt_decay',
  'opt_beta1',
  'opt_one_minus_beta1',
  'opt_beta2',
  'opt_one_minus_beta2',
] as const;
export type OptInputName = (typeof OPT_INPUTS)[number];

/** Per-step settings of one AdamW update. */
export interface AdamWStep {
  /** 1-based optimizer step t (for bias correction). */
  t: number;
  lr: number;
  weightDecay: number;
  /** Multiplies the raw gradients first (1 / gradient-accumulation steps). */
  gradScale: number;
  /** Global-norm clip threshold; <= 0 or Infinity disables clipping. */
  gradClip: number;
  /** First-moment decay (default `ADAMW.beta1`, 0.9). */
  beta1?: number | undefined;
  /** Second-moment decay (default `ADAMW.beta2`, 0.95). */
  beta2?: number | undefined;
  /** Denominator term (default `ADAMW.eps`, 1e-8). */
  eps?: number | undefined;
}

/** The scalar feeds of one step, computed in float64. */
export function adamwScalars(s: AdamWStep): Record<OptInputName, number> {
  const { beta1 = ADAMW.beta1, beta2 = ADAMW.beta2, eps = ADAMW.eps } = s;
  if (!Number.isInteger(s.t) || s.t < 1)
    throw new GraphError(`AdamW step t must be an integer >= 1, got ${s.t}`);
  for (const [name, b] of [
    ['beta1', beta1],
    ['beta2', beta2],
  ] as const)
    if (!(b >= 0 && b < 1)) throw new GraphError(`AdamW ${name} must be in [0, 1), got ${b}`);
  if (!(eps > 0)) throw new GraphError(`AdamW eps must be > 0, got ${eps}`);
  const bc1 = 1 - beta1 ** s.t;
  const bc2 = 1 - beta2 ** s.t;
  return {
    opt_grad_scale: s.gradScale,
    opt_max_norm: s.gradClip > 0 ? s.gradClip : Number.POSITIVE_INFINITY,
    opt_step_size: (s.lr * Math.sqrt(bc2)) / bc1,
    opt_eps: eps * Math.sqrt(bc2),
    opt_decay: 1 - s.lr * s.weightDecay,
    opt_beta1: beta1,
    opt_one_minus_beta1: 1 - beta1,
    opt_beta2: beta2,
    opt_one_minus_beta2: 1 - beta2,
  };
}

/** True for tensors that get weight decay: the 2-D ones. */
export function decays(dims: readonly number[]): boolean {
  return dims.length >= 2;
}

/** One parameter's tensors in the update. */
export interface AdamWSlot {
  param: Value;
  grad: Value;
  m: Value;
  v: Value;
  decay: boolean;
}

/** Updated tensors of one parameter. */
export interface AdamWResult {
  param: Value;
  m: Value;
  v: Value;
}

/**
 * Adds the scalar inputs, global-norm clipping and the AdamW update to `b`.
 * Returns the new parameter and moment values (in slot order) and the pre-clip global norm.
 */
export function addAdamW(
  b: GraphBuilder,
  slots: readonly AdamWSlot[],
  names?: (i: number) => { param: string; m: string; v: string },
): { updated: AdamWResult[]; gradNorm: Value } {
  const s = Object.fromEntries(OPT_INPUTS.map((n) => [n, b.input(n, 'float32', [])])) as Record<
    OptInputName,
    Value
  >;
  // Global norm of the scaled gradient: ‖g·scale‖ = √(Σ Σ g²) · scale.
  const sumsq = slots.map((sl) => b.op1('ReduceSumSquare', [sl.grad], { keepdims: 0 })); // ()
  const total = sumsq.length === 1 ? sumsq[0]! : b.op1('Sum', sumsq); // ()
  const norm = b.mul(b.op1('Sqrt', [total]), s.opt_grad_scale); // ()
  const clip = b.op1('Min', [b.scalar(1), b.div(s.opt_max_norm, b.add(norm, b.scalar(1e-6)))]); // ()
  const coef = b.mul(s.opt_grad_scale, clip); // ()
  const c1 = b.mul(coef, s.opt_one_minus_beta1); // ()  (1−β1)·coef
  const c2 = b.mul(b.mul(coef, coef), s.opt_one_minus_beta2); // ()  (1−β2)·coef²
  const [beta1, beta2] = [s.opt_beta1, s.opt_beta2];
  const named = (op: string, inputs: Value[], name: string | undefined) =>
    b.op1(op, inputs, {}, name === undefined ? {} : { outputNames: [name] });
  const updated = slots.map((sl, i) => {
    const n = names?.(i);
    const m = named('Add', [b.mul(sl.m, beta1), b.mul(sl.grad, c1)], n?.m); // like param
    const v = named('Add', [b.mul(sl.v, beta2), b.mul(b.mul(sl.grad, sl.grad), c2)], n?.v); // like param
    const denom = b.add(b.op1('Sqrt', [v]), s.opt_eps); // like param
    const step = b.mul(b.div(m, denom), s.opt_step_size); // like param
    const decayed = sl.decay ? b.mul(sl.param, s.opt_decay) : sl.param; // like param
    return { param: named('Sub', [decayed, step], n?.param), m, v };
  });
  return { updated, gradNorm: norm };
}
