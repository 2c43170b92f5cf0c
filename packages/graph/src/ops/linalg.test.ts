// Finite-difference checks of MatMul (2-D, batched, broadcast, weight against rank-3/4
// activations, transposed operands) and Gemm with every trans flag combination.

import { describe } from 'vitest';
import type { GradCase } from '../test-utils/gradcheck.js';
import { runGradCases } from '../test-utils/run.js';

const matmul = (a: number[], b: number[]): GradCase => ({
  name: `MatMul [${a}]·[${b}]`,
  inputs: { a: { shape: a }, b: { shape: b } },
  build: (g, x) => g.matmul(x['a']!, x['b']!),
});

const gemm = (transA: number, transB: number, c: number[] | undefined): GradCase => ({
  name: `Gemm transA=${transA} transB=${transB} C=[${c ?? 'none'}]`,
  inputs: {
    a: { shape: transA ? [4, 3] : [3, 4] },
    b: { shape: transB ? [2, 4] : [4, 2] },
    ...(c ? { c: { shape: c } } : {}),
  },
  build: (g, x) =>
    g.op1('Gemm', [x['a']!, x['b']!, x['c']], {
      transA,
      transB,
      alpha: { kind: 'float', value: 0.7 },
      beta: { kind: 'float', value: 1.3 },
    }),
});

const cases: GradCase[] = [
  matmul([3, 4], [4, 2]),
  matmul([2, 3, 4], [4, 5]), // activation · weight
  matmul([2, 2, 3, 4], [4, 3]), // rank-4 activation · weight
  matmul([2, 3, 4], [2, 4, 5]), // batched
  matmul([2, 2, 3, 4], [2, 1, 4, 3]), // broadcast batch on B
  matmul([1, 3, 4], [2, 4, 2]), // broadcast batch on A
  matmul([3, 4], [2, 4, 5]), // rank-2 left against batched right
  matmul([4], [4, 3]), // vector · matrix
  matmul([2, 3, 4], [4]), // batched matrix · vector
  matmul([4], [2, 4, 3]), // vector · batched matrix
  matmul([4], [4]), // dot product
  {
    name: 'MatMul of q against transposed k (attention scores)',
    inputs: { q: { shape: [2, 2, 3, 4] }, k: { shape: [2, 2, 3, 4] } },
    build: (g, x) => g.matmul(x['q']!, g.transpose(x['k']!, [0, 1, 3, 2])),
  },
  {
    name: 'MatMul where the same value is both operands',
    inputs: { a: { shape: [3, 3] } },
    build: (g, x) => g.matmul(x['a']!, x['a']!),
  },
  gemm(0, 0, [2]),
  gemm(0, 1, [3, 2]),
  gemm(1, 0, [1, 2]),
  gemm(1, 1, undefined),
  {
    name: 'float32 activation · weight',
    dtype: 'float32',
    inputs: { a: { shape: [2, 3, 4] }, b: { shape: [4, 5] } },
    build: (g, x) => g.matmul(x['a']!, x['b']!),
  },
];

describe('linear algebra gradient rules vs finite differences', () => runGradCases(cases));
