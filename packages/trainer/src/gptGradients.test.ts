// The whole GPT-2 graph's parameter gradients against central finite differences on
// a tiny config, in float64 (every op of the model has a double CPU kernel). Then
// the float32 gradient graph (LayerNorm statistics saved by the forward kernel) and
// the symbolic-shape graph against those float64 gradients.
// Legend: B batch, T sequence, C nEmbd, V vocab.

import { buildGradientGraph, SeededRandom, serializeModel, supportedGradientOps } from '@spinettai/graph';
import { buildGptGraph, type GPTConfig } from '@spinettai/model';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cfg: GPTConfig = {
  vocabSize: 32,
  blockSize: 8,
  nPositions: 8,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  dropout: 0,
  layerNormEps: 1e-5,
};
const B = 2;
const T = 8;
const random = new SeededRandom(42);
const ids = Array.from({ length: B * T }, () => random.nextInt(cfg.vocabSize));
const targets = ids.map((_, i) => (i === 5 ? -1 : random.nextInt(cfg.vocabSize))); // one ignored position

/** Random parameters of a useful scale (GPT-2 init's zero biases and unit gains would hide mistakes). */
function randomParams(
  names: readonly string[],
  shapes: Map<string, readonly number[]>,
): Map<string, Float64Array> {
  const p = new Map<string, Float64Array>();
  for (const name of names) {
    const n = shapes.get(name)!.reduce((a, b) => a * b, 1);
    const base = /ln_\d|ln_f/.test(name) && name.endsWith('weight') ? 1 : 0;
    const scale = name.endsWith('bias') ? 0.1 : 0.3;
    p.set(
      name,
      Float64Array.from({ length: n }, () => base + scale * (2 * random.uniform() - 1)),
    );
  }
  return p;
}

function feeds(
  params: Map<string, Float64Array>,
  shapes: Map<string, readonly number[]>,
  dtype: 'float32' | 'float64',
): Record<string, Tensor> {
  const f: Record<string, Tensor> = {
    input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [B, T]),
    targets: new Tensor('int64', BigInt64Array.from(targets, BigInt), [B, T]),
  };
  for (const [name, data] of params) {
    f[name] = new Tensor(dtype, dtype === 'float64' ? data : Float32Array.from(data), [...shapes.get(name)!]);
  }
  return f;
}

describe('GPT-2 gradients', () => {
  const model = buildGptGraph(cfg, { batch: B, seqLen: T, dtype: 'float64', targets: true, logits: false });
  const shapes = new Map(model.graph.inputs.map((v) => [v.name, v.shape as number[]]));
  const names = model.paramNames;
  const params = randomParams(names, shapes);
  let forward: InferenceSession;
  let reference: Map<string, Float64Array>;

  beforeAll(async () => {
    forward = await InferenceSession.create(serializeModel(model.graph));
    const { graph, grads } = buildGradientGraph(model.graph, { loss: 'loss', wrt: names });
    const session = await InferenceSession.create(serializeModel(graph));
    try {
      const out = await session.run(feeds(params, shapes, 'float64'));
      reference = new Map(names.map((n) => [n, out[grads.get(n)!]!.data as Float64Array]));
    } finally {
      await session.release();
    }
  });
  afterAll(async () => {
    await forward.release();
  });

  it('float64 gradients of every parameter match central finite differences', async () => {
    const loss = async () =>
      ((await forward.run(feeds(params, shapes, 'float64')))['loss']!.data as Float64Array)[0]!;
    const eps = 1e-5;
    const pick = new SeededRandom(7);
    let checked = 0;
    const failures: string[] = [];
    for (const name of names) {
      const data = params.get(name)!;
      const analytic = reference.get(name)!;
      expect(analytic.length).toBe(data.length);
      for (let k = 0; k < 3; k++) {
        const i = pick.nextInt(data.length);
        const saved = data[i]!;
        data[i] = saved + eps;
        const up = await loss();
        data[i] = saved - eps;
        const down = await loss();
        data[i] = saved;
        const numeric = (up - down) / (2 * eps);
        checked++;
        if (Math.abs(numeric - analytic[i]!) > 1e-8 + 1e-5 * Math.abs(numeric))
          failures.push(`${name}[${i}]: analytic ${analytic[i]}, numeric ${numeric}`);
      }
      // Every parameter of the model influences the loss.
      expect(analytic.some((g) => g !== 0)).toBe(true);
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(3 * names.length);
  });

  it('float32 gradient graph (saved LayerNorm statistics) agrees with float64', async () => {
    const m32 = buildGptGraph(cfg, { batch: B, seqLen: T, dtype: 'float32', targets: true, logits: false });
    const { graph, grads } = buildGradientGraph(m32.graph, { loss: 'loss', wrt: names });
    expect(
      graph.nodes.filter((n) => n.opType === 'LayerNormalization').every((n) => n.outputs.length === 3),
    ).toBe(true);
    const session = await InferenceSession.create(serializeModel(graph));
    try {
      const out = await session.run(feeds(params, shapes, 'float32'));
      for (const name of names) {
        const g = out[grads.get(name)!]!.data as Float32Array;
        const ref = reference.get(name)!;
        const scale = Math.max(...ref.map(Math.abs));
        for (let i = 0; i < g.length; i++)
          expect(Math.abs(g[i]! - ref[i]!)).toBeLessThan(1e-4 * scale + 1e-6);
      }
    } finally {
      await session.release();
    }
  });

  it('symbolic batch and sequence dims give the same gradients', async () => {
    const sym = buildGptGraph(cfg, { dtype: 'float64', targets: true, logits: false });
    const { graph, grads } = buildGradientGraph(sym.graph, { loss: 'loss', wrt: names });
    const session = await InferenceSession.create(serializeModel(graph));
    try {
      const out = await session.run(feeds(params, shapes, 'float64'));
      for (const name of names) {
        const g = out[grads.get(name)!]!.data as Float64Array;
        const ref = reference.get(name)!;
        for (let i = 0; i < g.length; i++) expect(g[i]).toBeCloseTo(ref[i]!, 12);
      }
    } finally {
      await session.release();
    }
  });
});

describe('the GPT-2 graph and the gradient rules', () => {
  it('covers every op on the float path of the GPT-2 graph, with standard ONNX ops only', () => {
    const cfg = {
      vocabSize: 16,
      blockSize: 4,
      nPositions: 4,
      nLayer: 1,
      nHead: 2,
      nEmbd: 8,
      dropout: 0.1,
      layerNormEps: 1e-5,
    };
    const m = buildGptGraph(cfg, { dropout: { seed: 1 }, targets: true });
    const { graph } = buildGradientGraph(m.graph, { loss: 'loss', wrt: m.paramNames });
    expect(graph.nodes.every((n) => n.domain === '')).toBe(true);
    // Every op of the forward graph that yields a float value has a gradient rule.
    const ops = new Set(supportedGradientOps());
    const floatOps = new Set(
      m.graph.nodes
        .filter((n) => n.outputs.some((o) => m.graph.values.get(o)?.dtype === 'float32'))
        .map((n) => n.opType),
    );
    expect(floatOps.size).toBeGreaterThan(10);
    for (const op of floatOps) expect(ops.has(op), op).toBe(true);
    // The backward reuses the forward's Dropout masks and the loss's log-probabilities.
    const dropouts = graph.nodes.filter((n) => n.opType === 'Dropout');
    expect(dropouts.length).toBeGreaterThan(0);
    for (const d of dropouts)
      expect(
        graph.nodes.some((n) => n.name.startsWith(`${d.name}/grad/`) && n.inputs.includes(d.outputs[1]!)),
      ).toBe(true);
  });
});
