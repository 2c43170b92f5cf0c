// The quantized graphs on onnxruntime against the float64 reference (reference.ts) fed
// the dequantized weights. The weights to quantize are chosen here by parameter name,
// independently of the rewrite, which finds them by graph structure. Weight-only kernels
// (q8 'dequantize', q4 accuracy_level 0) must match tightly; the shipped kernels also
// quantize activations, so they get a looser bound.

import { type Graph, serializeModel } from '@spinettai/graph';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config.js';
import { buildKvCacheGraph } from '../kvGraph.js';
import { initParams, type Params } from '../params.js';
import { referenceLogits } from '../reference.js';
import { extraOpsets } from './onnxFile.js';
import { type QuantizeDType, type QuantizeGraphOptions, quantizeGraph } from './quantize.js';
import {
  dequantizeInt8Columns,
  dequantizeNibbleRows,
  fromFloat16Array,
  quantizeInt8Columns,
  quantizeNibbleRows,
  toFloat16Array,
  transpose2d,
} from './quantizeMath.js';

// nEmbd 48: K = 48 and 192 are not multiples of 32, so padded q4 blocks are exercised.
const cfg = validateConfig({ vocabSize: 96, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 48, dropout: 0 });
const params = initParams(cfg, 5);
for (const t of params.values()) for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i]! *= 6;
const ids = [3, 17, 42, 0, 9, 63, 5, 5, 21, 30, 95, 1];
const WTE = 'transformer.wte.weight';
const isMatMulWeight = (name: string) => /\.(c_attn|c_proj|c_fc)\.weight$/.test(name);

/** The weights onnxruntime will see, rebuilt with quantizeMath's inverses. */
function dequantizedParams(dtype: QuantizeDType, embedding: 'quantize' | 'float32' = 'quantize'): Params {
  const out: Params = new Map(params);
  for (const [name, t] of params) {
    const w = t.data as Float32Array;
    const [R, C] = t.dims as [number, number];
    let data: Float32Array | undefined;
    if (dtype === 'fp16') data = t.dims.length === 2 ? fromFloat16Array(toFloat16Array(w)) : undefined;
    else if (isMatMulWeight(name))
      data =
        dtype === 'q8'
          ? dequantizeInt8Columns(quantizeInt8Columns(w, R, C), R, C)
          : transpose2d(dequantizeNibbleRows(quantizeNibbleRows(transpose2d(w, R, C), C, R)), C, R);
    else if (name === WTE && embedding === 'quantize')
      data =
        dtype === 'q8'
          ? transpose2d(dequantizeInt8Columns(quantizeInt8Columns(transpose2d(w, R, C), C, R), C, R), C, R)
          : dequantizeNibbleRows(quantizeNibbleRows(w, R, C));
    if (data !== undefined) out.set(name, { dtype: 'float32', dims: t.dims, data });
  }
  return out;
}

/** Logits of `ids` from an empty past. 'basic' optimization keeps onnxruntime from fusing
 * DequantizeLinear + MatMul into an int8-activation kernel (it does from 'extended' on). */
async function runLogits(graph: Graph, level: 'basic' | 'all' = 'all'): Promise<Float32Array> {
  const session = await InferenceSession.create(serializeModel(graph, { extraOpsets: extraOpsets(graph) }), {
    intraOpNumThreads: 1,
    graphOptimizationLevel: level,
  });
  try {
    const T = ids.length;
    const D = cfg.nEmbd / cfg.nHead;
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
      position_ids: new Tensor(
        'int64',
        BigInt64Array.from(ids, (_, i) => BigInt(i)),
        [1, T],
      ),
    };
    for (let i = 0; i < cfg.nLayer; i++)
      for (const kind of ['key', 'value'])
        feeds[`past_key_values.${i}.${kind}`] = new Tensor('float32', new Float32Array(0), [
          1,
          cfg.nHead,
          0,
          D,
        ]);
    return (await session.run(feeds))['logits']!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** max |a − b| over max |b|: the error relative to the logits' scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

const fp32 = buildKvCacheGraph(cfg, params);
const fp32Ref = referenceLogits(cfg, params, ids);

describe('quantizeGraph on onnxruntime vs the float64 reference of the dequantized weights', () => {
  it.each<[QuantizeDType, QuantizeGraphOptions, number]>([
    ['q8', { q8Kernel: 'dequantize' }, 1e-5],
    ['q4', { accuracyLevel: 0 }, 1e-5],
    ['fp16', {}, 1e-5],
    ['q8', { q8Kernel: 'dequantize', embedding: 'float32' }, 1e-5],
    ['q4', { accuracyLevel: 0, embedding: 'float32' }, 1e-5],
  ])('%s %o: weight-only kernels match within %f of the logit scale', async (dtype, opts, tol) => {
    const ref = referenceLogits(cfg, dequantizedParams(dtype, opts.embedding), ids);
    const logits = await runLogits(quantizeGraph(fp32, dtype, opts), 'basic');
    expect(relErr(logits, ref)).toBeLessThan(tol);
    // …and the quantization itself is visible: the reference moved.
    if (dtype !== 'fp16') expect(relErr(ref, fp32Ref)).toBeGreaterThan(10 * tol);
  });

  it.each<[QuantizeDType, number]>([
    ['q8', 0.05],
    ['q4', 0.05],
  ])('%s as exported (int8 activations too) stays within %f of the logit scale', async (dtype, tol) => {
    const ref = referenceLogits(cfg, dequantizedParams(dtype), ids);
    const err = relErr(await runLogits(quantizeGraph(fp32, dtype)), ref);
    expect(err).toBeLessThan(tol);
  });

  it('rewrites every MatMul weight and stores wte once', () => {
    for (const dtype of ['q8', 'q4'] as const) {
      const g = quantizeGraph(fp32, dtype);
      const floats = [...g.initializers].filter(([, t]) => t.dtype === 'float32' && t.dims.length === 2);
      expect(floats.map(([n]) => n)).toEqual(['transformer.wpe.weight']);
      expect(g.inputs).toEqual(fp32.inputs);
      expect(g.outputs.map((o) => o.name)).toEqual(fp32.outputs.map((o) => o.name));
    }
    const kept = quantizeGraph(fp32, 'q4', { embedding: 'float32' });
    expect(kept.initializers.get(WTE)?.dtype).toBe('float32');
    expect(kept.nodes.filter((n) => n.opType === 'MatMulNBits')).toHaveLength(4 * cfg.nLayer);
  });

  it('rejects unknown dtypes and options', () => {
    expect(() => quantizeGraph(fp32, 'q3' as QuantizeDType)).toThrow(/unknown quantization 'q3'/);
    expect(() => quantizeGraph(fp32, 'q8', { blockSize: 64 } as QuantizeGraphOptions)).toThrow(
      /unknown quantizeGraph option 'blockSize'/,
    );
  });
});
