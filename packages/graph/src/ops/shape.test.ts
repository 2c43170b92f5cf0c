// Finite-difference checks of the shape, selection and reduction gradient rules.

import { describe } from 'vitest';
import type { GradCase } from '../test-utils/gradcheck.js';
import { runGradCases } from '../test-utils/run.js';

const cases: GradCase[] = [
  {
    name: 'Reshape',
    inputs: { x: { shape: [2, 6] } },
    build: (g, x) => g.reshape(x['x']!, [3, 2, 2]),
  },
  {
    name: 'Transpose (0, 2, 3, 1)',
    inputs: { x: { shape: [2, 3, 2, 4] } },
    build: (g, x) => g.transpose(x['x']!, [0, 2, 3, 1]),
  },
  {
    name: 'Transpose default perm',
    inputs: { x: { shape: [2, 3, 4] } },
    build: (g, x) => g.op1('Transpose', [x['x']!]),
  },
  {
    name: 'Unsqueeze then Squeeze',
    inputs: { x: { shape: [2, 3] } },
    build: (g, x) =>
      g.op1('Squeeze', [
        g.mul(g.op1('Unsqueeze', [x['x']!, g.ints([1])]), g.scalar(2, 'float64')),
        g.ints([1]),
      ]),
  },
  {
    name: 'Flatten axis=2',
    inputs: { x: { shape: [2, 3, 2, 2] } },
    build: (g, x) => g.op1('Flatten', [x['x']!], { axis: 2 }), // (6, 4)
  },
  {
    name: 'Expand',
    inputs: { x: { shape: [3, 1] } },
    build: (g, x) => g.op1('Expand', [x['x']!, g.ints([2, 3, 4])]),
  },
  {
    name: 'Split into three, one part unused',
    inputs: { x: { shape: [2, 9] } },
    build: (g, x) => {
      const [p, , r] = g.op('Split', [x['x']!, g.ints([3, 2, 4])], { axis: 1 }, { outputs: 3 });
      return g.op1('Concat', [g.mul(p!, p!), r!], { axis: 1 });
    },
  },
  {
    name: 'Split equal parts (q, k, v style), axis -1',
    inputs: { x: { shape: [2, 3, 6] } },
    build: (g, x) => {
      const [q, k, v] = g.op('Split', [x['x']!], { axis: -1, num_outputs: 3 }, { outputs: 3 });
      return g.add(g.mul(q!, k!), v!);
    },
  },
  {
    name: 'Concat with repeated input',
    inputs: { a: { shape: [2, 3] }, b: { shape: [2, 1] } },
    build: (g, x) => g.op1('Concat', [x['a']!, x['b']!, x['a']!], { axis: -1 }),
  },
  {
    name: 'Slice two axes with negative end',
    inputs: { x: { shape: [3, 5, 2] } },
    build: (g, x) => g.op1('Slice', [x['x']!, g.ints([1, 1]), g.ints([3, -1]), g.ints([0, 1])]),
  },
  {
    name: 'Slice first T rows of a position table',
    inputs: { x: { shape: [6, 3] } },
    build: (g, x) => g.op1('Slice', [x['x']!, g.ints([0]), g.ints([4]), g.ints([0])]),
  },
  {
    name: 'Gather rows (embedding) with repeated ids',
    inputs: { w: { shape: [5, 3] }, ids: { shape: [2, 4], dtype: 'int64', data: [0, 3, 3, 1, 4, 0, 3, 2] } },
    build: (g, x) => g.op1('Gather', [x['w']!, x['ids']!], { axis: 0 }),
  },
  {
    name: 'Gather with scalar index',
    inputs: { w: { shape: [4, 3] }, i: { shape: [], dtype: 'int64', data: [2] } },
    build: (g, x) => g.op1('Gather', [x['w']!, x['i']!]),
  },
  {
    name: 'ReduceSum keepdims=0 over two axes',
    inputs: { x: { shape: [2, 3, 4] } },
    build: (g, x) => g.reduceSum(x['x']!, [0, 2], false),
  },
  {
    name: 'ReduceSum keepdims=1, negative axis',
    inputs: { x: { shape: [2, 3, 4] } },
    build: (g, x) => g.reduceSum(x['x']!, [-1], true),
  },
  {
    name: 'ReduceSum all axes (no axes input)',
    inputs: { x: { shape: [2, 3] } },
    build: (g, x) => g.op1('ReduceSum', [x['x']!], { keepdims: 0 }),
  },
  {
    name: 'ReduceMean keepdims=1',
    inputs: { x: { shape: [2, 3, 4] } },
    build: (g, x) => g.reduceMean(x['x']!, [1, 2], true),
  },
  {
    name: 'ReduceMean keepdims=0',
    inputs: { x: { shape: [3, 4] } },
    build: (g, x) => g.reduceMean(x['x']!, [0], false),
  },
];

describe('shape and reduction gradient rules vs finite differences', () => runGradCases(cases));
