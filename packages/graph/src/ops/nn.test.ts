// Finite-difference checks of the neural-network gradient rules. LayerNormalization
// runs in float64 (recomputed statistics) and float32 (statistics saved by the
// forward kernel); erf-Gelu runs in float32 because onnxruntime has no double Erf.
// Dropout draws a new mask every run, so its check compares against the mask read
// back from the same run instead of finite differences.

import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../autodiff/engine.js';
import { GraphBuilder } from '../builder.js';
import { serializeModel } from '../serialize.js';
import type { GradCase } from '../test-utils/gradcheck.js';
import { runGradCases } from '../test-utils/run.js';

const layerNorm = (dtype: 'float32' | 'float64', shape: number[], axis: number, outputs = 1): GradCase => {
  const normShape = shape.slice(axis < 0 ? shape.length + axis : axis);
  return {
    name: `LayerNormalization [${shape}] axis=${axis} outputs=${outputs}`,
    dtype,
    inputs: {
      x: { shape, range: [-2, 2] },
      gamma: { shape: normShape, range: [0.5, 1.5] },
      beta: { shape: normShape },
    },
    build: (g, x) =>
      g.op(
        'LayerNormalization',
        [x['x']!, x['gamma']!, x['beta']!],
        { axis, epsilon: { kind: 'float', value: 1e-5 } },
        { outputs },
      )[0]!,
    ...(dtype === 'float32' ? { eps: 1e-2, rtol: 3e-2, atol: 3e-3 } : {}),
  };
};

const ce = (
  name: string,
  scores: number[],
  labels: number[],
  attrs: Record<string, number | string>,
  weights?: number[],
): GradCase => ({
  name: `SoftmaxCrossEntropyLoss ${name}`,
  inputs: {
    s: { shape: scores, range: [-2, 2] },
    y: { shape: [scores[0]!, ...scores.slice(2)], dtype: 'int64', data: labels },
    ...(weights ? { w: { shape: [scores[1]!], data: weights } } : {}),
  },
  wrt: ['s'],
  build: (g, x) => g.op('SoftmaxCrossEntropyLoss', [x['s']!, x['y']!, x['w']], attrs)[0]!,
});

const cases: GradCase[] = [
  layerNorm('float64', [2, 3, 5], -1),
  layerNorm('float64', [2, 3, 4], 1),
  layerNorm('float32', [2, 3, 6], -1),
  layerNorm('float32', [3, 6], -1, 3),
  {
    name: 'Gelu tanh approximation',
    inputs: { x: { shape: [3, 5], range: [-3, 3] } },
    build: (g, x) => g.op1('Gelu', [x['x']!], { approximate: 'tanh' }),
  },
  {
    name: 'Gelu exact (erf)',
    dtype: 'float32',
    inputs: { x: { shape: [3, 5], range: [-3, 3] } },
    build: (g, x) => g.op1('Gelu', [x['x']!]),
  },
  {
    name: 'Softmax last axis',
    inputs: { x: { shape: [2, 3, 4], range: [-2, 2] } },
    build: (g, x) => g.op1('Softmax', [x['x']!], { axis: -1 }),
  },
  {
    name: 'Softmax axis 1',
    inputs: { x: { shape: [2, 3, 4], range: [-2, 2] } },
    build: (g, x) => g.op1('Softmax', [x['x']!], { axis: 1 }),
  },
  {
    name: 'Softmax of causally masked scores',
    inputs: {
      x: { shape: [2, 3, 3] },
      m: { shape: [3, 3], dtype: 'bool', data: [1, 0, 0, 1, 1, 0, 1, 1, 1] },
    },
    build: (g, x) =>
      g.op1('Softmax', [g.op1('Where', [x['m']!, x['x']!, g.scalar(Number.NEGATIVE_INFINITY, 'float64')])], {
        axis: -1,
      }),
  },
  {
    name: 'LogSoftmax',
    inputs: { x: { shape: [3, 4], range: [-2, 2] } },
    build: (g, x) => g.op1('LogSoftmax', [x['x']!], { axis: -1 }),
  },
  {
    name: 'Dropout in inference mode is the identity',
    inputs: { x: { shape: [2, 3] } },
    build: (g, x) => g.op1('Dropout', [x['x']!, g.scalar(0.3, 'float64')]),
  },
  ce('mean', [4, 5], [0, 3, 4, 1], {}),
  ce('mean with ignore_index', [5, 4], [0, 1, 3, 1, 2], { ignore_index: 1 }),
  ce('mean ignoring -100 labels', [4, 4], [-100, 2, 0, -100], { ignore_index: -100 }),
  ce('sum', [3, 4], [2, 0, 3], { reduction: 'sum' }),
  ce('none', [3, 4], [2, 0, 3], { reduction: 'none' }),
  ce('mean with class weights', [4, 3], [0, 2, 2, 1], {}, [0.5, 1, 2]),
  ce('mean over (N, C, d) scores', [2, 4, 3], [0, 1, 3, 2, 2, 0], { ignore_index: 2 }),
  {
    name: 'SoftmaxCrossEntropyLoss with its log-prob output also used',
    inputs: { s: { shape: [3, 4], range: [-2, 2] }, y: { shape: [3], dtype: 'int64', data: [1, 0, 3] } },
    wrt: ['s'],
    build: (g, x) => {
      const [loss, logProb] = g.op('SoftmaxCrossEntropyLoss', [x['s']!, x['y']!], {}, { outputs: 2 });
      return g.add(g.reduceSum(g.mul(logProb!, logProb!), [0, 1], false), loss!);
    },
  },
];

describe('neural-network gradient rules vs finite differences', () => {
  runGradCases(cases);

  it('Dropout (training) passes dY·mask/(1 − p) with the forward mask', async () => {
    const p = 0.4;
    const b = new GraphBuilder('dropout');
    const x = b.input('x', 'float64', [4, 50]);
    const y = b.op1(
      'Dropout',
      [x, b.scalar(p, 'float64'), b.constant({ dtype: 'bool', dims: [], data: Uint8Array.from([1]) })],
      { seed: 7 },
    );
    const r = Float64Array.from({ length: 200 }, (_, i) => 1 + (i % 7));
    const loss = b.op1('ReduceSum', [b.mul(y, b.constant({ dtype: 'float64', dims: [4, 50], data: r }))], {
      keepdims: 0,
    });
    b.output(loss, 'loss');
    b.output(y, 'y');
    const { graph, grads } = buildGradientGraph(b.build(), { loss: 'loss', wrt: ['x'] });
    const session = await InferenceSession.create(serializeModel(graph));
    try {
      const xs = Float64Array.from({ length: 200 }, (_, i) => 1 + i / 100); // nonzero, so Y ≠ 0 ⇔ kept
      const out = await session.run({ x: new Tensor('float64', xs, [4, 50]) });
      const ys = out['y']!.data as Float64Array;
      const dx = out[grads.get('x')!]!.data as Float64Array;
      let kept = 0;
      for (let i = 0; i < 200; i++) {
        const mask = ys[i] !== 0 ? 1 : 0;
        kept += mask;
        expect(dx[i]).toBeCloseTo((mask * r[i]!) / (1 - p), 12);
      }
      expect(kept).toBeGreaterThan(60); // the mask really dropped some and kept some
      expect(kept).toBeLessThan(180);
    } finally {
      await session.release();
    }
  });
});
