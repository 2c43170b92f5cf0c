import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { serializeModel } from './serialize.js';

describe('serializeModel external data', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('moves initializers above the threshold to a data file that onnxruntime loads from the folder', async () => {
    const b = new GraphBuilder('ext');
    const x = b.input('x', 'float32', [1, 64]); // (1, 64)
    const w = b.initializer('w', {
      dtype: 'float32',
      dims: [64, 32],
      data: Float32Array.from({ length: 2048 }, (_, i) => (i % 7) - 3),
    });
    const bias = b.initializer('bias', {
      dtype: 'float32',
      dims: [32],
      data: Float32Array.from({ length: 32 }, (_, i) => i),
    });
    const half = b.initializer('half', { dtype: 'float32', dims: [1], data: Float32Array.from([0.5]) });
    b.output(b.mul(b.add(b.matmul(x, w), bias), half), 'y'); // (1, 32)
    const graph = b.build();

    const chunks: Uint8Array[] = [];
    let offset = 0;
    const external: string[] = [];
    const modelBytes = serializeModel(graph, {
      externalData: {
        thresholdBytes: 16,
        write: (name, bytes) => {
          external.push(name);
          chunks.push(bytes.slice());
          const where = { location: 'weights.bin', offset, length: bytes.byteLength };
          offset += bytes.byteLength;
          return where;
        },
      },
    });
    expect(external).toEqual(['w', 'bias']); // `half` (4 bytes) stays inline
    const dir = await mkdtemp(join(tmpdir(), 'onnx-ext-'));
    dirs.push(dir);
    await writeFile(join(dir, 'weights.bin'), Buffer.concat(chunks));
    await writeFile(join(dir, 'model.onnx'), modelBytes);
    expect((await stat(join(dir, 'model.onnx'))).size).toBeLessThan(1000);

    const xData = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const results: Float32Array[] = [];
    for (const source of [join(dir, 'model.onnx'), serializeModel(graph)]) {
      const session =
        typeof source === 'string'
          ? await InferenceSession.create(source)
          : await InferenceSession.create(source);
      try {
        const out = await session.run({ x: new Tensor('float32', xData, [1, 64]) });
        results.push(out['y']!.data as Float32Array);
      } finally {
        await session.release();
      }
    }
    let want = 0;
    for (let i = 0; i < 64; i++) want += xData[i]! * (((i * 32) % 7) - 3);
    expect(results[0]![0]).toBeCloseTo(want * 0.5, 4);
    expect(Array.from(results[0]!)).toEqual(Array.from(results[1]!));
  });
});
