import { serializeModel } from '@spinettai/graph';
import * as ort from 'onnxruntime-node';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from './config.js';
import { KvDecoder } from './generate/decoder.js';
import { buildGptGraph } from './gpt.js';
import { buildKvCacheGraph, pastName, presentName } from './kvGraph.js';
import { initParams } from './params.js';
import { referenceLogits } from './reference.js';

const cfg = validateConfig({ vocabSize: 64, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0 });
const params = initParams(cfg, 7);
// Larger than GPT-2 init so the logits are far from uniform and a wrong mask shows.
for (const t of params.values()) for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i]! *= 10;
const ids = [3, 17, 42, 0, 9, 63, 5, 5, 21, 30];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('KV-cache graph', () => {
  let full: InferenceSession;
  let decoder: KvDecoder;
  let fullLogits: Float32Array;

  beforeAll(async () => {
    full = await InferenceSession.create(serializeModel(buildGptGraph(cfg, { params }).graph));
    const out = await full.run({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    });
    fullLogits = out['logits']!.data as Float32Array;
    decoder = await KvDecoder.create(ort, serializeModel(buildKvCacheGraph(cfg, params)), cfg);
  });

  afterAll(async () => {
    await full.release();
    await decoder.release();
  });

  it('has the Optimum decoder inputs and outputs', () => {
    const g = buildKvCacheGraph(cfg, params);
    expect(g.inputs.map((v) => v.name)).toEqual([
      'input_ids',
      'attention_mask',
      'position_ids',
      pastName(0, 'key'),
      pastName(0, 'value'),
      pastName(1, 'key'),
      pastName(1, 'value'),
    ]);
    expect(g.outputs.map((v) => v.name)).toEqual([
      'logits',
      presentName(0, 'key'),
      presentName(0, 'value'),
      presentName(1, 'key'),
      presentName(1, 'value'),
    ]);
    expect(g.inputs[3]!.shape).toEqual(['batch_size', 2, 'past_sequence_length', 8]);
    expect(g.outputs[1]!.shape).toEqual(['batch_size', 2, 'past_sequence_length + sequence_length', 8]);
    expect(g.initializers.has('transformer.wte.weight')).toBe(true);
  });

  it('full-sequence graph matches the float64 reference (sanity of the oracle)', () => {
    expect(maxDiff(fullLogits, referenceLogits(cfg, params, ids))).toBeLessThan(1e-4);
  });

  it('prefill of the whole sequence equals the full-sequence graph', async () => {
    expect(maxDiff(await decoder.forwardAll(ids), fullLogits)).toBeLessThan(1e-4);
  });

  it('prefill + one token per step equals the full-sequence graph at every position', async () => {
    const V = cfg.vocabSize;
    const prefix = 3;
    const first = await decoder.prefill(ids.slice(0, prefix));
    expect(maxDiff(first, fullLogits.subarray((prefix - 1) * V, prefix * V))).toBeLessThan(1e-4);
    for (let t = prefix; t < ids.length; t++) {
      const row = await decoder.step(ids[t]!);
      expect(decoder.length).toBe(t + 1);
      expect(maxDiff(row, fullLogits.subarray(t * V, (t + 1) * V))).toBeLessThan(1e-4);
    }
  });

  it('a prefill of one token works from an empty past', async () => {
    const row = await decoder.prefill([ids[0]!]);
    expect(maxDiff(row, fullLogits.subarray(0, cfg.vocabSize))).toBeLessThan(1e-4);
  });

  it('honours attention_mask: a left-padded row gives the unpadded logits', async () => {
    const session = await InferenceSession.create(serializeModel(buildKvCacheGraph(cfg, params)));
    try {
      const pad = 3;
      const n = 5;
      const T = n + pad;
      const rowIds = [...new Array(pad).fill(1), ...ids.slice(0, n)];
      const mask = [...new Array(pad).fill(0), ...new Array(n).fill(1)];
      const pos = [...new Array(pad).fill(0), ...Array.from({ length: n }, (_, i) => i)];
      const feeds: Record<string, Tensor> = {
        input_ids: new Tensor('int64', BigInt64Array.from([...ids.slice(0, T), ...rowIds], BigInt), [2, T]),
        attention_mask: new Tensor('int64', BigInt64Array.from([...new Array(T).fill(1), ...mask], BigInt), [
          2,
          T,
        ]),
        position_ids: new Tensor(
          'int64',
          BigInt64Array.from([...Array.from({ length: T }, (_, i) => i), ...pos], BigInt),
          [2, T],
        ),
      };
      for (let i = 0; i < cfg.nLayer; i++) {
        for (const kind of ['key', 'value'] as const)
          feeds[pastName(i, kind)] = new Tensor('float32', new Float32Array(0), [2, 2, 0, 8]);
      }
      const out = await session.run(feeds);
      const logits = out['logits']!.data as Float32Array;
      const V = cfg.vocabSize;
      expect(out['logits']!.dims).toEqual([2, T, V]);
      expect(out[presentName(1, 'value')]!.dims).toEqual([2, 2, T, 8]);
      // Row 0 is the plain sequence; row 1's real tokens must match it position by position.
      expect(maxDiff(logits.subarray(0, T * V), fullLogits.subarray(0, T * V))).toBeLessThan(1e-4);
      expect(maxDiff(logits.subarray((T + pad) * V, 2 * T * V), fullLogits.subarray(0, n * V))).toBeLessThan(
        1e-4,
      );
    } finally {
      await session.release();
    }
  });

  it('refuses a model that is not a KV-cache decoder', async () => {
    const plain = serializeModel(buildGptGraph(cfg, { params }).graph);
    await expect(KvDecoder.create(ort, plain, cfg)).rejects.toThrow(
      /not a KV-cache decoder.*past_key_values\.0\.key/,
    );
  });

  it('rejects a context longer than blockSize and ids outside the vocabulary', async () => {
    await expect(decoder.forwardAll(new Array(cfg.blockSize + 1).fill(1))).rejects.toThrow(/blockSize/);
    await expect(decoder.prefill([cfg.vocabSize])).rejects.toThrow(/vocabulary/);
  });
});
