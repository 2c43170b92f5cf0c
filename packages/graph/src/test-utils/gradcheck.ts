// Test harness: checks the gradients built by `buildGradientGraph` against central
// finite differences of the forward graph, both run in onnxruntime. The forward
// graph's output Y is turned into a scalar L = Σ Y ⊙ R with a fixed random R, so every
// element of dY differs (a plain sum would hide transposed or swapped gradients).
// One session per graph; the perturbations run on the small forward-only session.

import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildGradientGraph } from '../autodiff/engine.js';
import { GraphBuilder, type Value } from '../builder.js';
import type { DType, Graph } from '../ir.js';
import { SeededRandom } from '../random.js';
import { serializeModel } from '../serialize.js';

/** One input of a checked graph. */
export interface CheckInput {
  shape: number[];
  /** Default: the case's float dtype. Integer and bool inputs are never differentiated. */
  dtype?: DType;
  /** Fixed values; default uniform random in `range`. */
  data?: readonly number[];
  /** Range of random values (default [-1, 1]). */
  range?: [number, number];
}

/** One gradient check: a small graph, its inputs and tolerances. */
export interface GradCase {
  name: string;
  dtype?: 'float32' | 'float64';
  inputs: Record<string, CheckInput>;
  /** Builds the graph from the declared inputs and returns the value to check (any shape). */
  build: (b: GraphBuilder, x: Record<string, Value>) => Value;
  /** Float inputs to differentiate (default: all float inputs). */
  wrt?: string[];
  /** Check at most this many elements per input, spread evenly (default all). */
  maxElements?: number;
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

/** Result of a check: the worst mismatch found. */
export interface GradCheckResult {
  checked: number;
  worst: { input: string; index: number; analytic: number; numeric: number; error: number } | undefined;
  failures: string[];
}

type Feeds = Record<string, Tensor>;

function makeArray(
  dtype: DType,
  values: readonly number[],
): Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values);
    default:
      throw new Error(`gradcheck: unsupported input dtype ${dtype}`);
  }
}

/** Builds the forward graph with loss = Σ Y·R; returns it with the input data. */
export function forwardGraph(c: GradCase): {
  graph: Graph;
  data: Record<string, { dtype: DType; shape: number[]; values: number[] }>;
} {
  const dtype = c.dtype ?? 'float64';
  const random = new SeededRandom(c.seed ?? 1234);
  const b = new GraphBuilder(c.name.replace(/\W+/g, '_'));
  const x: Record<string, Value> = {};
  const data: Record<string, { dtype: DType; shape: number[]; values: number[] }> = {};
  for (const [name, inp] of Object.entries(c.inputs)) {
    const dt = inp.dtype ?? dtype;
    x[name] = b.input(name, dt, inp.shape);
    const n = inp.shape.reduce((p, q) => p * q, 1);
    const [lo, hi] = inp.range ?? [-1, 1];
    data[name] = {
      dtype: dt,
      shape: inp.shape,
      values: inp.data ? [...inp.data] : Array.from({ length: n }, () => lo + (hi - lo) * random.uniform()),
    };
  }
  const y = c.build(b, x);
  const shape = y.shape as number[];
  const n = shape.reduce((p, q) => p * q, 1);
  const r = Array.from({ length: n }, () => 0.5 + random.uniform());
  const weights = b.constant(
    { dtype: y.dtype, dims: shape, data: makeArray(y.dtype, r) as Float32Array },
    'check_weights',
  );
  const loss = b.op1('ReduceSum', [b.mul(y, weights)], { keepdims: 0 });
  b.output(loss, 'loss');
  return { graph: b.build(), data };
}

function feedsOf(data: ReturnType<typeof forwardGraph>['data']): Feeds {
  const feeds: Feeds = {};
  for (const [name, d] of Object.entries(data))
    feeds[name] = new Tensor(d.dtype as 'float32', makeArray(d.dtype, d.values) as Float32Array, d.shape);
  return feeds;
}

/** Runs the check and returns the worst error; `failures` lists every element out of tolerance. */
export async function gradCheck(c: GradCase): Promise<GradCheckResult> {
  const dtype = c.dtype ?? 'float64';
  const eps = c.eps ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  const rtol = c.rtol ?? (dtype === 'float64' ? 1e-6 : 2e-2);
  const atol = c.atol ?? (dtype === 'float64' ? 1e-8 : 2e-3);
  const { graph, data } = forwardGraph(c);
  const wrt = c.wrt ?? Object.keys(c.inputs).filter((k) => (data[k]!.dtype as string).startsWith('float'));
  const { graph: gradGraph, grads } = buildGradientGraph(graph, { loss: 'loss', wrt });
  const fwd = await InferenceSession.create(serializeModel(graph));
  const bwd = await InferenceSession.create(serializeModel(gradGraph));
  const result: GradCheckResult = { checked: 0, worst: undefined, failures: [] };
  try {
    const feeds = feedsOf(data);
    const analytic = await bwd.run(feeds);
    const base = (await fwd.run(feeds))['loss']!.data as Float64Array;
    const both = analytic['loss']!.data as Float64Array;
    if (Math.abs(base[0]! - both[0]!) > 1e-6 * Math.max(1, Math.abs(base[0]!))) {
      result.failures.push(`loss differs between forward (${base[0]}) and gradient graph (${both[0]})`);
    }
    for (const name of wrt) {
      const g = analytic[grads.get(name)!]!.data as Float64Array;
      const values = data[name]!.values;
      const step = Math.max(1, Math.floor(values.length / (c.maxElements ?? values.length)));
      for (let i = 0; i < values.length; i += step) {
        const loss = async (v: number) => {
          const saved = values[i]!;
          values[i] = v;
          const out = await fwd.run(feedsOf(data));
          values[i] = saved;
          return (out['loss']!.data as Float64Array)[0]!;
        };
        // Divide by the step actually taken once the inputs are rounded to their dtype.
        const round = data[name]!.dtype === 'float32' ? Math.fround : (v: number) => v;
        const [hi, lo] = [round(values[i]! + eps), round(values[i]! - eps)];
        const numeric = ((await loss(hi)) - (await loss(lo))) / (hi - lo);
        const a = g[i]!;
        const error = Math.abs(a - numeric);
        result.checked++;
        if (result.worst === undefined || error > result.worst.error)
          result.worst = { input: name, index: i, analytic: a, numeric, error };
        if (!(error <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)))) {
          result.failures.push(`${name}[${i}]: analytic ${a}, numeric ${numeric}`);
        }
      }
    }
  } finally {
    await fwd.release();
    await bwd.release();
  }
  return result;
}
