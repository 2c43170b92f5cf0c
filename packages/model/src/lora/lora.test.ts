// LoRA on the GPT-2 graph: the adapted model starts equal to the base (B = 0), the
// merged weights give the unmerged LoRA graph's logits, and the gradients of A and B
// agree with central finite differences of the float64 loss.

import { buildGradientGraph, SeededRandom, serializeModel, type TensorData } from '@spinettai/graph';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type GPTConfig, validateConfig } from '../config.js';
import { buildGptGraph } from '../gpt.js';
import { initParams, type Params } from '../params.js';
import { resolveLora } from './config.js';
import { initLora, loraShapes, mergeLora } from './params.js';

const cfg: GPTConfig = validateConfig({
  vocabSize: 23,
  blockSize: 8,
  nLayer: 2,
  nHead: 2,
  nEmbd: 8,
  dropout: 0,
});
const lora = resolveLora({ rank: 2, alpha: 6, targets: ['c_attn', 'attn.c_proj', 'c_fc', 'mlp.c_proj'] });
const ids = [4, 1, 9, 22, 0, 7, 3, 3, 12, 5, 18, 2];
const targets = [1, 9, 22, 0, 7, 3, 3, 12, 5, 18, 2, 6];

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await InferenceSession.create(bytes);
  try {
    return (await session.run(feeds)) as Record<string, Tensor>;
  } finally {
    await session.release();
  }
}

const idTensor = (xs: number[]) => new Tensor('int64', BigInt64Array.from(xs, BigInt), [2, 6]);

/** An adapter with B ≠ 0 (B = 0 would make every test below trivial). */
function trainedAdapter(seed: number): Params {
  const p = initLora(cfg, lora, seed);
  const r = new SeededRandom(seed, 77);
  for (const [name, t] of p)
    if (name.endsWith('lora_B.weight'))
      for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i] = 0.3 * r.normal();
  return p;
}

async function logits(params: Params, withLora: boolean): Promise<Float32Array> {
  const { graph } = buildGptGraph(cfg, { params, lora: withLora ? lora : undefined });
  const out = await run(serializeModel(graph), { input_ids: idTensor(ids) });
  return out['logits']!.data as Float32Array;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('LoRA', () => {
  it('names and shapes follow PEFT, and B starts at zero with A in U(-1/√in, 1/√in)', () => {
    const shapes = loraShapes(cfg, lora);
    expect(shapes.get('transformer.h.0.attn.c_attn.lora_A.weight')).toEqual([2, 8]);
    expect(shapes.get('transformer.h.0.attn.c_attn.lora_B.weight')).toEqual([24, 2]);
    expect(shapes.get('transformer.h.1.mlp.c_proj.lora_A.weight')).toEqual([2, 32]);
    expect(shapes.get('transformer.h.1.mlp.c_proj.lora_B.weight')).toEqual([8, 2]);
    const p = initLora(cfg, lora, 3);
    for (const [name, t] of p) {
      const d = t.data as Float32Array;
      if (name.endsWith('lora_B.weight')) expect(d.every((x) => x === 0)).toBe(true);
      else {
        const bound = 1 / Math.sqrt(t.dims[1]!);
        expect(d.every((x) => Math.abs(x) <= bound)).toBe(true);
        expect(Math.max(...d.map(Math.abs))).toBeGreaterThan(bound / 2);
      }
    }
  });

  it('rejects bad options, naming them', () => {
    expect(() => resolveLora({ rank: 0 })).toThrow(/lora\.rank/);
    expect(() => resolveLora({ rank: 4, targets: ['q_proj'] })).toThrow(/lora\.targets.*q_proj/);
    expect(() => resolveLora({ rank: 4, alpa: 3 } as never)).toThrow(/lora\.alpa/);
  });

  it('at the start (B = 0) gives exactly the base logits', async () => {
    const base = initParams(cfg, 1);
    const withAdapter: Params = new Map([...base, ...initLora(cfg, lora, 2)]);
    expect(maxDiff(await logits(withAdapter, true), await logits(base, false))).toBe(0);
  });

  it('merged weights give the unmerged LoRA graph logits within 1e-5', async () => {
    const base = initParams(cfg, 1);
    const adapter = trainedAdapter(5);
    const unmerged = await logits(new Map([...base, ...adapter]), true);
    const merged = await logits(mergeLora(base, adapter, cfg, lora), false);
    expect(maxDiff(unmerged, await logits(base, false))).toBeGreaterThan(1e-2); // the adapter matters
    expect(maxDiff(merged, unmerged)).toBeLessThan(1e-5);
  });

  it('gradients of A and B equal central finite differences (float64), and none is built for the base', async () => {
    const to64 = (t: TensorData) => Float64Array.from(t.data as Float32Array);
    const base = new Map([...initParams(cfg, 1)].map(([n, t]) => [n, to64(t)]));
    const adapter = new Map([...trainedAdapter(9)].map(([n, t]) => [n, to64(t)]));
    const m = buildGptGraph(cfg, { dtype: 'float64', targets: true, logits: false, lora });
    const { graph, grads } = buildGradientGraph(m.graph, { loss: 'loss', wrt: m.loraParamNames });
    expect([...grads.keys()].sort()).toEqual([...m.loraParamNames].sort());
    const shapes = new Map([
      ...loraShapes(cfg, lora),
      ...[...initParams(cfg, 1)].map(([n, t]) => [n, t.dims] as const),
    ]);
    const feeds = (over?: { name: string; i: number; d: number }) => {
      const f: Record<string, Tensor> = { input_ids: idTensor(ids), targets: idTensor(targets) };
      for (const [n, v] of [...base, ...adapter]) {
        let data = v;
        if (over !== undefined && over.name === n) {
          data = Float64Array.from(v);
          data[over.i]! += over.d;
        }
        f[n] = new Tensor('float64', data, shapes.get(n) as number[]);
      }
      return f;
    };
    const session = await InferenceSession.create(serializeModel(graph));
    const lossOnly = await InferenceSession.create(serializeModel(m.graph));
    try {
      const out = await session.run(feeds());
      const r = new SeededRandom(4);
      let checked = 0;
      for (const name of m.loraParamNames) {
        const g = out[grads.get(name)!]!.data as Float64Array;
        for (let k = 0; k < 3; k++) {
          const i = r.nextInt(g.length);
          const h = 1e-5;
          const up = (await lossOnly.run(feeds({ name, i, d: h })))['loss']!.data as Float64Array;
          const down = (await lossOnly.run(feeds({ name, i, d: -h })))['loss']!.data as Float64Array;
          const fd = (up[0]! - down[0]!) / (2 * h);
          expect(Math.abs(fd - g[i]!), `${name}[${i}]`).toBeLessThan(1e-7 + 1e-5 * Math.abs(fd));
          checked++;
        }
      }
      expect(checked).toBe(m.loraParamNames.length * 3);
    } finally {
      await session.release();
      await lossOnly.release();
    }
  });
});
