// Reductions over axes given as a constant input (opset 18+): each op's shape rule
// beside its gradient rule. The gradient broadcasts dY back over the reduced axes.

import type { GradContext } from '../autodiff/context.js';
import type { Dim } from '../ir.js';
import {
  constInts,
  fail,
  type InferredOutput,
  input,
  intAttr,
  normAxis,
  type OpTable,
  type RuleContext,
  type ShapeRule,
} from '../shapes.js';

// keepdims=1 keeps each reduced axis as 1; no axes (or an omitted input) reduce all,
// unless noop_with_empty_axes=1.
const reduce: ShapeRule = (c: RuleContext): InferredOutput[] => {
  const x = input(c, 0);
  const keep = intAttr(c, 'keepdims', 1) === 1;
  let axes = c.inputs[1] ? constInts(c, 1) : [];
  if (axes === undefined) return fail(c, 'axes must be a constant');
  if (axes.length === 0) {
    if (intAttr(c, 'noop_with_empty_axes', 0) === 1) return [{ dtype: x.dtype, shape: [...x.shape] }];
    axes = x.shape.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => normAxis(c, a, x.shape.length)));
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!set.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
};

/** Normalised, sorted axes of a reduction (all axes when empty). */
function reducedAxes(c: GradContext, rank: number): number[] | undefined {
  const axes = c.hasInput(1) ? c.constantNumbers(1) : [];
  if (axes === undefined) c.fail('reduction axes must be a constant');
  if (axes!.length === 0)
    return c.intAttr('noop_with_empty_axes', 0) === 1 ? undefined : [...Array(rank).keys()];
  return axes!.map((a) => c.axis(a, rank)).sort((p, q) => p - q);
}

// Y = Σ_axes X (or mean)  →  dX = broadcast(dY (·1/N), shape(X))
function reduceBackward(c: GradContext, mean: boolean): void {
  const x = c.input(0);
  const axes = reducedAxes(c, x.shape.length);
  if (axes === undefined) {
    c.setGrad(0, c.dY()); // noop_with_empty_axes
    return;
  }
  let g = c.dY();
  // Back to the keepdims shape; not needed when only leading axes were dropped (Expand aligns right).
  const leading = axes.every((a, i) => a === i);
  if (c.intAttr('keepdims', 1) === 0 && !leading) g = c.op('Unsqueeze', [g, c.ints(axes)]);
  if (mean) {
    const dims = axes.map((a) => x.shape[a]);
    if (!dims.every((d) => typeof d === 'number')) c.fail('ReduceMean over a symbolic axis is not supported');
    g = c.mul(g, c.scalar(1 / (dims as number[]).reduce((p, q) => p * q, 1)));
  }
  c.setGrad(0, c.expandLike(g, x));
}

export const reduceOps: OpTable = {
  ReduceSum: { shape: reduce, grad: { backward: (c) => reduceBackward(c, false) } },
  ReduceMean: { shape: reduce, grad: { backward: (c) => reduceBackward(c, true) } },

  // Shape rules only (not differentiable here).
  ReduceMax: { shape: reduce },
  ReduceSumSquare: { shape: reduce },
  ReduceL2: { shape: reduce },
};
