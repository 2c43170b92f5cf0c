import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';
import { serializeModel } from './serialize.js';

describe('GraphBuilder', () => {
  it('builds a graph that onnxruntime runs', async () => {
    const b = new GraphBuilder('smoke');
    const x = b.input('x', 'float32', ['batch', 3]); // (B, 3)
    const w = b.initializer('w', {
      dtype: 'float32',
      dims: [3, 2],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
    });
    const y = b.matmul(x, w); // (B, 2)
    const g = b.op1('Gelu', [y], { approximate: 'tanh' });
    const s = b.reduceSum(g, [1], false); // (B)
    expect(s.shape).toEqual(['batch']);
    b.output(s, 'y');
    const bytes = serializeModel(b.build());
    const session = await InferenceSession.create(bytes);
    try {
      const out = await session.run({
        x: new Tensor('float32', Float32Array.from([1, 0, 0, 0, 0, 0]), [2, 3]),
      });
      const got = out['y']!.data as Float32Array;
      const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      expect(got[0]).toBeCloseTo(gelu(1) + gelu(2), 5);
      expect(got[1]).toBeCloseTo(0, 6);
    } finally {
      await session.release();
    }
  });

  it('names the node on a shape mismatch', () => {
    const b = new GraphBuilder();
    const a = b.input('a', 'float32', [2, 3]);
    const c = b.input('c', 'float32', [4, 5]);
    expect(() => b.op1('MatMul', [a, c], {}, { name: 'bad_mm' })).toThrow(GraphError);
    expect(() => b.op1('MatMul', [a, c], {}, { name: 'bad_mm' })).toThrow(/bad_mm/);
  });
});
