import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Graph, GraphBuilder, SeededRandom, serializeModel } from '@spinettai/graph';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint/hfFolder.js';
import { type GPTConfig, validateConfig } from './config.js';
import { buildGptGraph } from './gpt.js';
import { dropoutSeed, reseedDropout } from './layers.js';
import { initParams, type Params } from './params.js';
import { referenceLogits, referenceLoss } from './reference.js';

const cfg: GPTConfig = validateConfig({
  vocabSize: 37,
  blockSize: 12,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  dropout: 0.2,
});

/** GPT-2 init plus large noise on every tensor, so LayerNorm gains, biases and attention all matter. */
function noisyParams(seed: number): Params {
  const params = initParams(cfg, seed);
  const rng = new SeededRandom(seed, 999);
  for (const t of params.values()) {
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! + 0.3 * rng.normal();
  }
  return params;
}

const ids = [
  [3, 7, 1, 0, 36, 12, 5, 9, 9, 2],
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 35],
];
const idsTensor = () => new Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [2, 10]);

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await InferenceSession.create(bytes);
  try {
    return (await session.run(feeds)) as Record<string, Tensor>;
  } finally {
    await session.release();
  }
}

describe('buildGptGraph', () => {
  it('a saved tiny checkpoint gives float32 logits equal to the float64 reference within 1e-4', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gpt-ref-'));
    const ckpt = join(dir, 'ckpt');
    await saveCheckpoint(ckpt, { config: cfg, params: noisyParams(1), bosTokenId: 0, eosTokenId: 0 });
    const { config, params } = await loadCheckpoint(ckpt);
    await rm(dir, { recursive: true, force: true });
    expect(config).toEqual(cfg);
    const { graph } = buildGptGraph(config, { params }); // symbolic batch and sequence
    const out = await run(serializeModel(graph), { input_ids: idsTensor() });
    const logits = out['logits']!;
    expect(logits.dims).toEqual([2, 10, 37]);
    const got = logits.data as Float32Array;
    let maxErr = 0;
    let maxAbs = 0;
    ids.forEach((row, b) => {
      const want = referenceLogits(cfg, params, row);
      want.forEach((w, i) => {
        maxErr = Math.max(maxErr, Math.abs(got[b * want.length + i]! - w));
        maxAbs = Math.max(maxAbs, Math.abs(w));
      });
    });
    expect(maxAbs).toBeGreaterThan(1); // the comparison is not between near-zero numbers
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('float64 loss with parameters as inputs matches the reference (ignore_index -1)', async () => {
    const params = noisyParams(2);
    const built = buildGptGraph(cfg, {
      batch: 2,
      seqLen: 10,
      dtype: 'float64',
      targets: true,
      logits: false,
    });
    expect(built.graph.outputs.map((o) => o.name)).toEqual(['loss']);
    expect(built.graph.inputs.map((i) => i.name)).toEqual(['input_ids', 'targets', ...built.paramNames]);
    const targets = ids.map((row) => row.map((_, t) => (t === 3 ? -1 : row[(t + 1) % row.length]!)));
    const feeds: Record<string, Tensor> = {
      input_ids: idsTensor(),
      targets: new Tensor('int64', BigInt64Array.from(targets.flat(), BigInt), [2, 10]),
    };
    for (const name of built.paramNames) {
      const t = params.get(name)!;
      feeds[name] = new Tensor('float64', Float64Array.from(t.data as Float32Array), [...t.dims]);
    }
    const out = await run(serializeModel(built.graph), feeds);
    const loss = (out['loss']!.data as Float64Array)[0]!;
    // onnxruntime's float64 Gelu(tanh) differs from the exact formula by ~5e-9.
    expect(Math.abs(loss - referenceLoss(cfg, params, ids, targets))).toBeLessThan(1e-7);
  });

  it('lists only the op types documented in gpt.ts', () => {
    const documented = new Set([
      'Gather',
      'Add',
      'Mul',
      'MatMul',
      'Transpose',
      'Reshape',
      'Split',
      'LayerNormalization',
      'Where',
      'Softmax',
      'Gelu',
      'Dropout',
      'SoftmaxCrossEntropyLoss',
      'Identity',
      'Shape',
      'Slice',
      'Concat',
    ]);
    const { graph } = buildGptGraph(cfg, { targets: true, dropout: { seed: 1 } });
    const used = new Set(graph.nodes.map((n) => n.opType));
    for (const op of used) expect(documented).toContain(op);
    expect(used).toContain('Dropout');
    expect(used).toContain('SoftmaxCrossEntropyLoss');
  });

  it('adds training dropout with distinct per-node seeds, reproducible and reseedable', async () => {
    const params = noisyParams(3);
    const built = buildGptGraph(cfg, { params, dropout: { seed: 42 } });
    const drops = built.graph.nodes.filter((n) => n.opType === 'Dropout');
    expect(drops.length).toBe(1 + 3 * cfg.nLayer); // embeddings + attn, resid, mlp per block
    expect(drops.map((n) => n.name)).toEqual(built.dropoutNodes);
    expect(drops.map((n) => n.outputs[1])).toEqual(built.dropoutMasks);
    const seeds = drops.map((n) => n.attributes['seed']);
    expect(new Set(seeds.map((s) => (s?.kind === 'int' ? s.value : NaN))).size).toBe(drops.length);
    expect(seeds[0]).toEqual({ kind: 'int', value: dropoutSeed(42, 0) });
    expect(drops.every((n) => n.outputs.length === 2)).toBe(true);

    // onnxruntime drops Dropout nodes whose mask is unused; output the masks as the backward pass would use them.
    const withMasks = (g: Graph): Uint8Array => {
      const b = GraphBuilder.extend(g, { keepOutputs: true });
      for (const m of built.dropoutMasks) b.output(b.value(m));
      return serializeModel(b.build());
    };
    const feeds = { input_ids: idsTensor() };
    const a = (await run(withMasks(built.graph), feeds))['logits']!.data as Float32Array;
    const again = (await run(withMasks(built.graph), feeds))['logits']!.data as Float32Array;
    const other = (await run(withMasks(reseedDropout(built.graph, 43)), feeds))['logits']!
      .data as Float32Array;
    const plain = (await run(serializeModel(buildGptGraph(cfg, { params }).graph), feeds))['logits']!
      .data as Float32Array;
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(Array.from(other)).not.toEqual(Array.from(a));
    expect(Array.from(plain)).not.toEqual(Array.from(a));
    const rebuilt = buildGptGraph(cfg, { params, dropout: { seed: 43 } }).graph;
    const reseededSeeds = reseedDropout(built.graph, 43)
      .nodes.filter((n) => n.opType === 'Dropout')
      .map((n) => n.attributes['seed']);
    expect(reseededSeeds).toEqual(
      rebuilt.nodes.filter((n) => n.opType === 'Dropout').map((n) => n.attributes['seed']),
    );
  });

  it('rejects a fixed sequence longer than the block size', () => {
    expect(() => buildGptGraph(cfg, { seqLen: 13 })).toThrow(/blockSize = 12/);
  });
});
