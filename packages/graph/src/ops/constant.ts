// Ops that make values rather than transform their inputs' elements: Constant,
// ConstantOfShape, Range and Shape. None is differentiable (their outputs do not
// depend on float inputs), so each entry holds a shape rule only.

import { constInts, fail, input, intAttr, type OpTable } from '../shapes.js';

export const constantOps: OpTable = {
  Shape: {
    shape: (c) => {
      const rank = input(c, 0).shape.length;
      const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
      const start = clampAxis(intAttr(c, 'start', 0));
      const end = clampAxis(intAttr(c, 'end', rank));
      return [{ dtype: 'int64', shape: [Math.max(end - start, 0)] }];
    },
  },
  Constant: {
    shape: (c) => {
      const v = c.attributes['value'];
      if (v === undefined || v.kind !== 'tensor') return fail(c, "Constant needs a tensor 'value'");
      return [{ dtype: v.value.dtype, shape: [...v.value.dims] }];
    },
  },
  ConstantOfShape: {
    shape: (c) => {
      const dims = constInts(c, 0);
      const v = c.attributes['value'];
      const dtype = v !== undefined && v.kind === 'tensor' ? v.value.dtype : 'float32';
      if (dims === undefined) {
        const n = input(c, 0).shape[0];
        if (typeof n !== 'number') return fail(c, 'shape input must have a static length');
        return [{ dtype, shape: Array.from({ length: n }, () => c.freshDim()) }];
      }
      return [{ dtype, shape: dims }];
    },
  },
  Range: {
    shape: (c) => {
      const [s, l, d] = [constInts(c, 0), constInts(c, 1), constInts(c, 2)];
      const n = s && l && d ? Math.max(Math.ceil((l[0]! - s[0]!) / d[0]!), 0) : c.freshDim();
      return [{ dtype: input(c, 0).dtype, shape: [n] }];
    },
  },
};
