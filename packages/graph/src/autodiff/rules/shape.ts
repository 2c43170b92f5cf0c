// Gradient rules of ops that move, select or reduce elements without arithmetic on
// them: reshapes, transposes, slicing and joining, embedding lookup (Gather) and
// reductions. Gather's gradient scatter-adds rows with ScatterND(reduction='add')
// into zeros, so an embedding's gradient costs O(rows looked up · C), never a
// (B·T, V) one-hot matrix.

import type { GradContext, GradientRule } from '../context.js';
import { isStatic } from '../context.js';

// Y = reshape(X)  →  dX = reshape(dY, shape(X))   (also Squeeze, Unsqueeze, Flatten)
const reshapeBack: GradientRule = { backward: (c) => c.setGrad(0, c.reshapeLike(c.dY(), c.input(0))) };

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

export const shapeRules: Record<string, GradientRule> = {
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Flatten: reshapeBack,

  // Y = broadcast(X)  →  dX = Σ over the broadcast axes of dY (done by the engine)
  Expand: { backward: (c) => c.setGrad(0, c.dY()) },

  // Y = transpose(X, p)  →  dX = transpose(dY, p⁻¹)
  Transpose: {
    backward: (c) => {
      const rank = c.input(0).shape.length;
      const perm = c.intsAttr('perm') ?? [...Array(rank).keys()].reverse();
      const inverse = new Array<number>(rank);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      c.setGrad(0, c.op('Transpose', [c.dY()], { perm: inverse }));
    },
  },

  // [Y₁ … Yₙ] = split(X, axis)  →  dX = concat(dY₁ … dYₙ, axis), zeros for outputs without gradient
  Split: {
    backward: (c) => {
      const parts = c.node.outputs.map((_, i) => c.gradOutOrZeros(i));
      c.setGrad(0, c.op('Concat', parts, { axis: c.intAttr('axis', 0) }));
    },
  },

  // Y = concat(X₁ … Xₙ, axis)  →  [dX₁ … dXₙ] = split(dY, sizes of Xᵢ, axis)
  Concat: {
    backward: (c) => {
      const n = c.node.inputs.length;
      const rank = c.input(0).shape.length;
      const axis = c.axis(c.intAttr('axis', 0), rank);
      const sizes = c.node.inputs.map((_, i) => c.input(i).shape[axis]);
      if (!sizes.every((s) => typeof s === 'number'))
        c.fail('Concat gradient needs static sizes on the concat axis');
      const parts = c.opN('Split', [c.dY(), c.ints(sizes as number[])], { axis }, n);
      for (const [i, p] of parts.entries()) c.setGrad(i, p);
    },
  },

  // Y = X[starts:ends] (step 1)  →  dX = zero-pad dY back to shape(X)
  Slice: {
    backward: (c) => {
      const x = c.input(0);
      if (!isStatic(x.shape)) c.fail('Slice gradient needs a static input shape');
      const [starts, ends] = [c.constantNumbers(1), c.constantNumbers(2)];
      const axes = c.hasInput(3) ? c.constantNumbers(3) : starts?.map((_, i) => i);
      const steps = c.hasInput(4) ? c.constantNumbers(4) : starts?.map(() => 1);
      if (!starts || !ends || !axes || !steps)
        c.fail('Slice gradient needs constant starts, ends, axes and steps');
      if (!steps!.every((s) => s === 1)) c.fail('Slice gradient supports step 1 only');
      const dims = x.shape as number[];
      const pads = new Array<number>(2 * dims.length).fill(0);
      axes!.forEach((a, k) => {
        const ax = c.axis(a, dims.length);
        const d = dims[ax]!;
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
        const s = clamp(starts![k]!);
        const e = Math.max(clamp(ends![k]!), s);
        pads[ax] = s;
        pads[dims.length + ax] = d - e;
      });
      c.setGrad(
        0,
        c.op(
          'Pad',
          [c.dY(), c.ints(pads)],
          { mode: 'constant' },
          { outputInfos: [{ dtype: x.dtype, shape: dims }] },
        ),
      );
    },
  },

  // Y = Data[idx] along axis 0 (embedding lookup)  →  dData = zeros, then dData[idx[j]] += dY[j] (ScatterND, reduction='add')
  Gather: {
    backward: (c) => {
      if (!c.needsGrad(0)) return;
      const data = c.input(0);
      if (c.axis(c.intAttr('axis', 0), data.shape.length) !== 0)
        c.fail('Gather gradient supports axis 0 only');
      const idx = c.op('Unsqueeze', [c.input(1), c.ints([-1])]); // (…idx, 1)
      const zeros = c.zerosLike(data); // (V, C)
      c.setGrad(
        0,
        c.op(
          'ScatterND',
          [zeros, idx, c.dY()],
          { reduction: 'add' },
          { outputInfos: [{ dtype: data.dtype, shape: data.shape }] },
        ),
      );
    },
  },

  ReduceSum: { backward: (c) => reduceBackward(c, false) },
  ReduceMean: { backward: (c) => reduceBackward(c, true) },
};
