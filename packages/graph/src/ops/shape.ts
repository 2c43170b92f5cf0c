// Ops that move, select or make elements without arithmetic on them: reshapes,
// transposes, slicing and joining, embedding lookup (Gather) and constants. Each op's
// shape rule sits beside its gradient rule. Gather's gradient scatter-adds rows with
// ScatterND(reduction='add') into zeros, so an embedding's gradient costs
// O(rows looked up · C), never a (B·T, V) one-hot matrix.

import { type GradientRule, isStatic } from '../autodiff/context.js';
import type { Dim } from '../ir.js';
import {
  broadcastShapes,
  constInts,
  fail,
  input,
  intAttr,
  intsAttr,
  normAxis,
  type OpTable,
  type ShapeRule,
  same,
  staticSize,
} from '../shapes.js';

// Y = reshape(X)  →  dX = reshape(dY, shape(X))   (also Squeeze, Unsqueeze, Flatten)
const reshapeBack: GradientRule = { backward: (c) => c.setGrad(0, c.reshapeLike(c.dY(), c.input(0))) };

// A 0 copies the input dim at that index; one -1 takes the remaining size.
const reshapeShape: ShapeRule = (c) => {
  const x = input(c, 0);
  const target = constInts(c, 1);
  if (target === undefined) {
    const s = input(c, 1).shape;
    const n = s[0];
    if (typeof n !== 'number') return fail(c, 'shape input must be constant or have a static length');
    return [{ dtype: x.dtype, shape: Array.from({ length: n }, () => c.freshDim()) }];
  }
  const shape: Dim[] = target.map((d, i) =>
    d === 0 ? (x.shape[i] ?? fail(c, `0 at ${i} copies no dim`)) : d,
  );
  const minus = shape.indexOf(-1);
  const total = staticSize(x.shape);
  if (minus >= 0) {
    const rest = shape.filter((_, i) => i !== minus);
    const known = staticSize(rest);
    if (total !== undefined && known !== undefined) {
      if (total % known !== 0) fail(c, `cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
      shape[minus] = total / known;
    } else {
      shape[minus] = c.freshDim();
    }
  } else {
    const size = staticSize(shape);
    if (total !== undefined && size !== undefined && total !== size)
      fail(c, `cannot reshape [${x.shape.join(', ')}] (${total} elements) to [${shape.join(', ')}]`);
  }
  return [{ dtype: x.dtype, shape }];
};

// [Y₁ … Yₙ] = split(X, axis): sizes from the optional input, else n near-equal chunks.
const splitShape: ShapeRule = (c) => {
  const x = input(c, 0);
  const axis = normAxis(c, intAttr(c, 'axis', 0), x.shape.length);
  const d = x.shape[axis]!;
  let sizes = c.inputs[1] ? constInts(c, 1) : undefined;
  if (sizes === undefined) {
    if (typeof d !== 'number') return fail(c, 'splitting a symbolic dim needs explicit sizes');
    const n = c.numOutputs;
    const chunk = Math.ceil(d / n);
    sizes = Array.from({ length: n }, (_, i) => Math.min(chunk, d - chunk * i));
  }
  if (sizes.length !== c.numOutputs) fail(c, `${sizes.length} split sizes for ${c.numOutputs} outputs`);
  return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((dd, i) => (i === axis ? s : dd)) }));
};

// Y = X[starts:ends:steps] on the given axes (numpy clamping rules).
const sliceShape: ShapeRule = (c) => {
  const x = input(c, 0);
  const starts = constInts(c, 1);
  const ends = constInts(c, 2);
  if (starts === undefined || ends === undefined) {
    // Computed bounds: the sliced axes get fresh symbolic sizes.
    const axes = c.inputs[3] ? constInts(c, 3) : undefined;
    if (axes === undefined) return fail(c, 'axes must be constant when starts or ends are computed');
    const shape: Dim[] = [...x.shape];
    for (const a of axes) shape[normAxis(c, a, x.shape.length)] = c.freshDim();
    return [{ dtype: x.dtype, shape }];
  }
  const axes = c.inputs[3] ? constInts(c, 3) : starts.map((_, i) => i);
  const steps = c.inputs[4] ? constInts(c, 4) : starts.map(() => 1);
  if (axes === undefined || steps === undefined) return fail(c, 'axes and steps must be constants');
  const shape: Dim[] = [...x.shape];
  axes.forEach((a, k) => {
    const ax = normAxis(c, a, x.shape.length);
    const d = x.shape[ax]!;
    const step = steps[k]!;
    if (typeof d !== 'number') {
      shape[ax] = c.freshDim();
      return;
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = clamp(s, 0, d);
      e = clamp(e, 0, d);
    } else {
      s = clamp(s, -1, d - 1);
      e = clamp(e, -1, d - 1);
    }
    shape[ax] = Math.max(0, Math.ceil((e - s) / step));
  });
  return [{ dtype: x.dtype, shape }];
};

export const shapeOps: OpTable = {
  Reshape: { shape: reshapeShape, grad: reshapeBack },

  Squeeze: {
    shape: (c) => {
      const x = input(c, 0);
      const axes = c.inputs[1] ? constInts(c, 1) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      if (axes === undefined) return fail(c, 'axes must be a constant');
      const set = new Set(axes.map((a) => normAxis(c, a, x.shape.length)));
      return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !set.has(i)) }];
    },
    grad: reshapeBack,
  },

  Unsqueeze: {
    shape: (c) => {
      const x = input(c, 0);
      const axes = constInts(c, 1);
      if (axes === undefined) return fail(c, 'axes must be a constant');
      const rank = x.shape.length + axes.length;
      const set = new Set(axes.map((a) => normAxis(c, a, rank)));
      const shape: Dim[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[k++]!);
      return [{ dtype: x.dtype, shape }];
    },
    grad: reshapeBack,
  },

  // Y = X as 2-D: (d₀·…·d_{axis−1}, d_axis·…·d_{r−1})
  Flatten: {
    shape: (c) => {
      const x = input(c, 0);
      const r = x.shape.length;
      const a = intAttr(c, 'axis', 1);
      const axis = a < 0 ? a + r : a;
      if (axis < 0 || axis > r) fail(c, `axis ${a} is out of range for rank ${r}`);
      const outer = staticSize(x.shape.slice(0, axis)) ?? c.freshDim();
      const inner = staticSize(x.shape.slice(axis)) ?? c.freshDim();
      return [{ dtype: x.dtype, shape: [outer, inner] }];
    },
    grad: reshapeBack,
  },

  // Y = broadcast(X)  →  dX = Σ over the broadcast axes of dY (done by the engine)
  Expand: {
    shape: (c) => {
      const x = input(c, 0);
      const target = constInts(c, 1);
      if (target === undefined) return fail(c, 'shape must be a constant');
      return [{ dtype: x.dtype, shape: broadcastShapes(c, [x.shape, target]) }];
    },
    grad: { backward: (c) => c.setGrad(0, c.dY()) },
  },

  // Y = transpose(X, p)  →  dX = transpose(dY, p⁻¹)
  Transpose: {
    shape: (c) => {
      const x = input(c, 0);
      const perm = intsAttr(c, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
      if (perm.length !== x.shape.length)
        fail(c, `perm has ${perm.length} axes but input has rank ${x.shape.length}`);
      return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) }];
    },
    grad: {
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
  },

  // [Y₁ … Yₙ] = split(X, axis)  →  dX = concat(dY₁ … dYₙ, axis), zeros for outputs without gradient
  Split: {
    shape: splitShape,
    grad: {
      backward: (c) => {
        const parts = c.node.outputs.map((_, i) => c.gradOutOrZeros(i));
        c.setGrad(0, c.op('Concat', parts, { axis: c.intAttr('axis', 0) }));
      },
    },
  },

  // Y = concat(X₁ … Xₙ, axis)  →  [dX₁ … dXₙ] = split(dY, sizes of Xᵢ, axis)
  Concat: {
    shape: (c) => {
      const first = input(c, 0);
      const axis = normAxis(c, intAttr(c, 'axis', 0), first.shape.length);
      const sizes: Dim[] = c.inputs.map((_, i) => {
        const s = input(c, i).shape;
        if (s.length !== first.shape.length)
          fail(c, `input ${i} has rank ${s.length}, expected ${first.shape.length}`);
        return s[axis]!;
      });
      const total =
        staticSize(sizes) === undefined ? c.freshDim() : (sizes as number[]).reduce((p, q) => p + q, 0);
      return [{ dtype: first.dtype, shape: first.shape.map((d, i) => (i === axis ? total : d)) }];
    },
    grad: {
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
  },

  // Y = X[starts:ends] (step 1)  →  dX = zero-pad dY back to shape(X)
  Slice: {
    shape: sliceShape,
    grad: {
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
  },

  // Y = Data[idx] along axis 0 (embedding lookup)  →  dData = zeros, then dData[idx[j]] += dY[j] (ScatterND, reduction='add')
  Gather: {
    shape: (c) => {
      const x = input(c, 0);
      const idx = input(c, 1);
      const axis = normAxis(c, intAttr(c, 'axis', 0), x.shape.length);
      return [
        { dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] },
      ];
    },
    grad: {
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
  },

  // Shape rules only (not differentiable here).
  Trilu: { shape: same },
};
