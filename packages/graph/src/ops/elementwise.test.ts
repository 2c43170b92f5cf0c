// Finite-difference checks of the elementwise gradient rules, broadcasts included
// (float64: onnxruntime's CPU kernels support every op here in double).

import { describe } from 'vitest';
import type { GradCase } from '../test-utils/gradcheck.js';
import { runGradCases } from '../test-utils/run.js';

const binary = (op: string, a: number[], b: number[], range?: [number, number]): GradCase => ({
  name: `${op} [${a}]⊙[${b}]`,
  inputs: { a: { shape: a }, b: { shape: b, ...(range ? { range } : {}) } },
  build: (g, x) => g.op1(op, [x['a']!, x['b']!]),
});

const unary = (
  op: string,
  shape: number[],
  range?: [number, number],
  attrs: Record<string, number> = {},
): GradCase => ({
  name: `${op} [${shape}]`,
  inputs: { x: { shape, ...(range ? { range } : {}) } },
  build: (g, x) => g.op1(op, [x['x']!], attrs),
});

const cases: GradCase[] = [
  binary('Add', [2, 3], [2, 3]),
  binary('Add', [2, 3, 4], [4]),
  binary('Add', [2, 1, 4], [3, 1]),
  binary('Sub', [2, 3], [3]),
  binary('Sub', [1, 3], [2, 1]),
  binary('Mul', [2, 3, 4], [2, 3, 4]),
  binary('Mul', [2, 3, 4], [3, 1]),
  binary('Mul', [4], [2, 3, 4]),
  binary('Div', [2, 3], [2, 3], [0.5, 2]),
  binary('Div', [2, 3, 2], [2], [0.5, 2]),
  binary('Div', [1, 3], [2, 1], [0.5, 2]),
  unary('Neg', [2, 3]),
  unary('Sqrt', [2, 3], [0.2, 2]),
  unary('Reciprocal', [5], [0.5, 2]),
  unary('Tanh', [3, 4], [-2, 2]),
  unary('Sigmoid', [3, 4], [-3, 3]),
  unary('Exp', [2, 3]),
  unary('Log', [2, 3], [0.2, 3]),
  unary('Identity', [2, 2]),
  {
    name: 'Relu away from 0',
    inputs: { x: { shape: [6], data: [-1, -0.5, -0.1, 0.1, 0.5, 1] } },
    build: (g, x) => g.op1('Relu', [x['x']!]),
  },
  {
    name: 'Pow constant exponent 2',
    inputs: { x: { shape: [2, 3] } },
    build: (g, x) => g.op1('Pow', [x['x']!, g.scalar(2, 'float64')]),
  },
  {
    name: 'Pow constant exponent 3',
    inputs: { x: { shape: [2, 3] } },
    build: (g, x) => g.op1('Pow', [x['x']!, g.scalar(3, 'float64')]),
  },
  {
    name: 'Pow variable base and exponent',
    inputs: { x: { shape: [2, 3], range: [0.5, 2] }, e: { shape: [3], range: [0.5, 2.5] } },
    build: (g, x) => g.op1('Pow', [x['x']!, x['e']!]),
  },
  {
    name: 'Sum of three with broadcast, one input twice',
    inputs: { a: { shape: [2, 3] }, b: { shape: [3] } },
    build: (g, x) => g.op1('Sum', [x['a']!, x['b']!, x['a']!]),
  },
  {
    name: 'Cast to float32 and back (float32 tolerance)',
    inputs: { x: { shape: [2, 3] } },
    build: (g, x) => g.cast(g.mul(g.cast(x['x']!, 'float32'), g.scalar(3, 'float32')), 'float64'),
    eps: 1e-3,
    rtol: 1e-3,
    atol: 1e-4,
  },
  {
    name: 'Where masked fill, broadcast condition and scalar branch',
    inputs: {
      a: { shape: [2, 3, 3] },
      m: { shape: [3, 3], dtype: 'bool', data: [1, 0, 0, 1, 1, 0, 1, 1, 1] },
    },
    build: (g, x) => g.op1('Where', [x['m']!, x['a']!, g.scalar(-5, 'float64')]),
  },
  {
    name: 'Where both branches differentiated',
    inputs: {
      a: { shape: [2, 3] },
      b: { shape: [3] },
      m: { shape: [2, 3], dtype: 'bool', data: [1, 0, 1, 0, 0, 1] },
    },
    build: (g, x) => g.op1('Where', [x['m']!, x['a']!, x['b']!]),
  },
  {
    name: 'float32 Mul with broadcast',
    dtype: 'float32',
    inputs: { a: { shape: [2, 3, 4] }, b: { shape: [4] } },
    build: (g, x) => g.mul(x['a']!, x['b']!),
  },
];

describe('elementwise gradient rules vs finite differences', () => runGradCases(cases));
