// Weight quantization as a graph rewrite on @spinettai/graph: takes a float32 inference
// graph (the KV-cache decoder) and returns the same graph with its weights stored as
//   q8    int8 per output column; activations quantized per call (DynamicQuantizeLinear
//         + MatMulInteger, which onnxruntime fuses into one int8 kernel on CPU);
//   q4    4-bit asymmetric blocks of 32 along K in com.microsoft.MatMulNBits
//         (accuracy_level 4: int8 compute on CPU);
//   fp16  half-float weights cast back to float32 inside the graph (float32 I/O).
// What is rewritten: every MatMul whose right operand is a float32 2-D initializer W [K, N]
// (GPT-2's c_attn, c_proj, c_fc) or the Transpose of one (the tied LM head h · wteᵀ).
// A Gather from a quantized tied weight (the token embedding) dequantizes the rows it
// picks from the same quantized tensor, so the file holds wte once.
// The numbers live in quantizeMath.ts; reading and writing the files in quantizeFiles.ts.

import {
  type AttributeInput,
  type Graph,
  GraphBuilder,
  type Node,
  type OpOptions,
  type TensorData,
  type Value,
} from '@spinettai/graph';
import { ExportError } from './errors.js';
import {
  type Int8Weight,
  type Nibble4Weight,
  Q4_BITS,
  Q4_BLOCK,
  quantizeInt8Columns,
  quantizeNibbleRows,
  toFloat16Array,
  transpose2d,
} from './quantizeMath.js';

/** The quantized variants of an export. */
export type QuantizeDType = 'q8' | 'q4' | 'fp16';

/** Every QuantizeDType, in the order they are written. */
export const QUANTIZE_DTYPES: readonly QuantizeDType[] = ['q8', 'q4', 'fp16'];

/** The dtypes an export folder can hold: fp32 (always) and the quantized ones. */
export type ModelDType = 'fp32' | QuantizeDType;

/** Every ModelDType (the `--dtype` choices). */
export const MODEL_DTYPES: readonly ModelDType[] = ['fp32', ...QUANTIZE_DTYPES];

/**
 * File name under `onnx/` of each dtype: the names transformers.js loads for its `dtype`
 * option (DEFAULT_DTYPE_SUFFIX_MAPPING: fp32 '', q8 '_quantized', q4 '_q4', fp16 '_fp16').
 * The one owner of these names: exportOnnx, the generators, the CLI and pages read them here.
 */
export const MODEL_FILE_FOR_DTYPE: Readonly<Record<ModelDType, string>> = {
  fp32: 'model.onnx',
  q8: 'model_quantized.onnx',
  q4: 'model_q4.onnx',
  fp16: 'model_fp16.onnx',
};

/**
 * The quantized dtypes from a list or a comma-separated string ('q8,q4'), deduplicated
 * in QUANTIZE_DTYPES order. Throws an ExportError naming an unknown entry.
 */
export function parseQuantizeList(value: string | readonly string[]): QuantizeDType[] {
  const items = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => s.trim());
  const unknown = items.find((s) => !(QUANTIZE_DTYPES as readonly string[]).includes(s));
  if (unknown !== undefined)
    throw new ExportError(
      `unknown quantization '${unknown}'; use any of ${QUANTIZE_DTYPES.join(', ')} (e.g. q8,q4)`,
      { option: 'quantize' },
    );
  return QUANTIZE_DTYPES.filter((d) => items.includes(d));
}

/** Checks a dtype name (fp32, q8, q4 or fp16); throws an ExportError otherwise. */
export function checkModelDType(dtype: string): ModelDType {
  if (!(MODEL_DTYPES as readonly string[]).includes(dtype))
    throw new ExportError(`unknown dtype '${dtype}'; use one of ${MODEL_DTYPES.join(', ')}`, {
      option: 'dtype',
    });
  return dtype as ModelDType;
}

/** Options of `quantizeGraph`. */
export interface QuantizeGraphOptions {
  /** The tied embedding / LM head: 'quantize' it like the other weights (default) or keep it float32. */
  embedding?: 'quantize' | 'float32';
  /** q8 kernel: 'integer' (default; int8 activations and weights) or 'dequantize' (int8 weights, float32 MatMul). */
  q8Kernel?: 'integer' | 'dequantize';
  /** q4: MatMulNBits accuracy_level; 4 (default) computes in int8 on CPU, 0 in float32. */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
}

const OPTION_KEYS = new Set(['embedding', 'q8Kernel', 'accuracyLevel']);

/** A weight the rewrite quantizes: W [K, N] as MatMul's right operand. */
interface WeightUse {
  /** The initializer's name. */
  readonly init: string;
  /** True when the MatMul reads Transpose(init): init is [N, K] (the tied LM head). */
  readonly transposed: boolean;
}

function is2dFloat(t: TensorData | undefined): t is TensorData {
  return t !== undefined && t.dtype === 'float32' && t.dims.length === 2;
}

/** Which MatMul right operands are (transposed) float32 2-D initializers, by MatMul node name. */
function findWeights(graph: Graph): Map<string, WeightUse> {
  const transposes = new Map<string, string>(); // Transpose output → initializer [N, K]
  for (const n of graph.nodes) {
    const perm = n.attributes['perm'];
    const src = n.inputs[0] ?? '';
    if (n.opType === 'Transpose' && perm?.kind === 'ints' && perm.value.join() === '1,0')
      if (is2dFloat(graph.initializers.get(src))) transposes.set(n.outputs[0]!, src);
  }
  const uses = new Map<string, WeightUse>();
  for (const n of graph.nodes) {
    if (n.opType !== 'MatMul' || n.domain !== '') continue;
    const right = n.inputs[1] ?? '';
    if (is2dFloat(graph.initializers.get(right))) uses.set(n.name, { init: right, transposed: false });
    else if (transposes.has(right)) uses.set(n.name, { init: transposes.get(right)!, transposed: true });
  }
  return uses;
}

function transposeInt8(x: Int8Array, R: number, C: number): Int8Array {
  const out = new Int8Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = x[r * C + c]!;
  return out;
}

/** Rewrites one graph; one instance per call. */
class Rewriter {
  private readonly b: GraphBuilder;
  private readonly defined = new Set<string>();
  private readonly int8 = new Map<string, { q: Value; scales: Value; rowsQ?: Value }>();
  private readonly nibbles = new Map<string, { w: Nibble4Weight; packed: Value; scales: Value; zp: Value }>();
  private readonly uses: Map<string, WeightUse>;
  /** Initializers whose float32 copy is replaced (all their MatMul and Gather uses are rewritten). */
  private readonly quantized = new Set<string>();

  constructor(
    private readonly graph: Graph,
    private readonly dtype: QuantizeDType,
    private readonly opts: Required<QuantizeGraphOptions>,
  ) {
    this.b = new GraphBuilder(graph.name);
    this.uses = findWeights(graph);
    const tied = new Set<string>();
    for (const u of this.uses.values()) {
      if (u.transposed) tied.add(u.init);
      if (!u.transposed || opts.embedding === 'quantize') this.quantized.add(u.init);
    }
    // A weight also read by anything but its MatMuls (or, when tied, a row Gather) stays float32.
    for (const n of graph.nodes) {
      n.inputs.forEach((input, i) => {
        if (!this.quantized.has(input) || this.uses.has(n.name)) return;
        const rowGather =
          n.opType === 'Gather' && i === 0 && tied.has(input) && (n.attributes['axis']?.value ?? 0) === 0;
        const headTranspose = n.opType === 'Transpose' && this.uses.get(this.consumer(n))?.init === input;
        if (!rowGather && !headTranspose) this.quantized.delete(input);
      });
    }
  }

  private count = 0;

  /** One new node, named in a `quant/` namespace no original node or value uses. */
  private op(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attrs: Readonly<Record<string, AttributeInput>> = {},
    opts: OpOptions = {},
  ): Value {
    return this.b.op1(opType, inputs, attrs, { name: `quant/${opType}_${this.count++}`, ...opts });
  }

  private reshape(x: Value, shape: readonly number[]): Value {
    return this.op('Reshape', [x, this.b.ints(shape)]);
  }

  private toFloat(x: Value): Value {
    return this.op('Cast', [x], { to: 1 });
  }

  /** Name of the (single) MatMul that reads a Transpose node's output, or ''. */
  private consumer(t: Node): string {
    const m = this.graph.nodes.find((n) => n.inputs[1] === t.outputs[0] && this.uses.has(n.name));
    return m?.name ?? '';
  }

  /** The builder value of a graph value: initializers are added on first use (fp16: stored as half). */
  private v(name: string): Value {
    const t = this.graph.initializers.get(name);
    if (t === undefined || this.defined.has(name)) return this.b.value(name);
    this.defined.add(name);
    if (this.dtype === 'fp16' && t.dtype === 'float32' && t.dims.length >= 2) {
      const half = this.b.initializer(`${name}.fp16`, {
        dtype: 'float16',
        dims: t.dims,
        data: toFloat16Array(t.data as Float32Array),
      });
      return this.b.op1('Cast', [half], { to: 1 }, { outputNames: [name], name: `${name}.cast` }); // float32
    }
    return this.b.initializer(name, t);
  }

  /** Int8 weight W [K, N] of an initializer (tied: per vocab row), created once. */
  private int8Of(u: WeightUse): { q: Value; scales: Value; rowsQ?: Value } {
    const have = this.int8.get(u.init);
    if (have !== undefined) return have;
    const t = this.graph.initializers.get(u.init)!;
    const [R, C] = t.dims as [number, number];
    const src = t.data as Float32Array;
    let made: { q: Value; scales: Value; rowsQ?: Value };
    if (!u.transposed) {
      const w: Int8Weight = quantizeInt8Columns(src, R, C); // W [K=R, N=C]
      made = {
        q: this.b.initializer(`${u.init}.q8`, { dtype: 'int8', dims: [R, C], data: w.q }),
        scales: this.b.initializer(`${u.init}.scale`, { dtype: 'float32', dims: [C], data: w.scales }),
      };
    } else {
      // Stored as rows [N=R, K=C] (shared with the embedding Gather); the head reads its transpose.
      const w = quantizeInt8Columns(transpose2d(src, R, C), C, R);
      const rowsQ = this.b.initializer(`${u.init}.q8`, {
        dtype: 'int8',
        dims: [R, C],
        data: transposeInt8(w.q, C, R),
      });
      const scales = this.b.initializer(`${u.init}.scale`, { dtype: 'float32', dims: [R], data: w.scales });
      made = { q: this.op('Transpose', [rowsQ], { perm: [1, 0] }), scales, rowsQ }; // (C, V) int8
    }
    this.int8.set(u.init, made);
    return made;
  }

  /** 4-bit rows [N, K] of an initializer, created once. */
  private nibblesOf(u: WeightUse) {
    const have = this.nibbles.get(u.init);
    if (have !== undefined) return have;
    const t = this.graph.initializers.get(u.init)!;
    const [R, C] = t.dims as [number, number];
    const src = t.data as Float32Array;
    const w = u.transposed ? quantizeNibbleRows(src, R, C) : quantizeNibbleRows(transpose2d(src, R, C), C, R);
    const blob = (Q4_BLOCK * Q4_BITS) / 8;
    const made = {
      w,
      packed: this.b.initializer(`${u.init}.q4`, {
        dtype: 'uint8',
        dims: [w.n, w.blocks, blob],
        data: w.packed,
      }),
      scales: this.b.initializer(`${u.init}.scale`, {
        dtype: 'float32',
        dims: [w.n * w.blocks],
        data: w.scales,
      }),
      zp: this.b.initializer(`${u.init}.zero_point`, {
        dtype: 'uint8',
        dims: [w.zeroPoints.length],
        data: w.zeroPoints,
      }),
    };
    this.nibbles.set(u.init, made);
    return made;
  }

  /** y = x · W for a quantized W; `out` keeps the original MatMul's output name. */
  private matmul(n: Node, u: WeightUse): void {
    const { b } = this;
    const x = this.v(n.inputs[0]!);
    const out = n.outputs[0]!;
    const t = this.graph.initializers.get(u.init)!;
    const N = u.transposed ? t.dims[0]! : t.dims[1]!;
    const K = u.transposed ? t.dims[1]! : t.dims[0]!;
    const yShape = [...x.shape.slice(0, -1), N]; // (B, T, N)
    if (this.dtype === 'q4') {
      const w = this.nibblesOf(u);
      b.op(
        'MatMulNBits',
        [x, w.packed, w.scales, w.zp],
        { K, N, bits: Q4_BITS, block_size: Q4_BLOCK, accuracy_level: this.opts.accuracyLevel },
        {
          name: n.name,
          domain: 'com.microsoft',
          outputNames: [out],
          outputInfos: [{ dtype: 'float32', shape: yShape }],
        },
      ); // (B, T, N)
      return;
    }
    const w = this.int8Of(u);
    if (this.opts.q8Kernel === 'dequantize') {
      const wf = this.op(
        'DequantizeLinear',
        [w.q, w.scales],
        { axis: 1 },
        {
          outputInfos: [{ dtype: 'float32', shape: w.q.shape }],
        },
      ); // (K, N)
      b.op1('MatMul', [x, wf], {}, { name: n.name, outputNames: [out] }); // (B, T, N)
      return;
    }
    const [xq, xScale, xZero] = b.op(
      'DynamicQuantizeLinear',
      [x],
      {},
      {
        name: `quant/${n.name}`,
        outputInfos: [
          { dtype: 'uint8', shape: x.shape },
          { dtype: 'float32', shape: [] },
          { dtype: 'uint8', shape: [] },
        ],
      },
    ) as [Value, Value, Value]; // (B, T, K) uint8, scale, zero point
    const acc = this.op(
      'MatMulInteger',
      [xq, w.q, xZero],
      {},
      { outputInfos: [{ dtype: 'int32', shape: yShape }] },
    ); // (B, T, N) int32
    const scale = this.op('Mul', [xScale, w.scales]); // (N)
    this.op('Mul', [this.toFloat(acc), scale], {}, { outputNames: [out] }); // (B, T, N)
  }

  /** Embedding rows of a quantized tied weight: Gather the codes, then dequantize them. */
  private gather(n: Node, init: string): void {
    const { b } = this;
    const ids = this.v(n.inputs[1]!);
    const out = n.outputs[0]!;
    const u: WeightUse = { init, transposed: true };
    const unsq = (x: Value) => this.op('Unsqueeze', [x, b.ints([-1])]);
    if (this.dtype === 'q8') {
      const w = this.int8Of(u);
      const rows = this.op('Gather', [w.rowsQ!, ids], { axis: 0 }); // (B, T, C) int8
      const s = this.op('Gather', [w.scales, ids], { axis: 0 }); // (B, T)
      this.op('Mul', [this.toFloat(rows), unsq(s)], {}, { outputNames: [out] }); // (B, T, C)
      return;
    }
    const w = this.nibblesOf(u);
    const { n: V, k: C, blocks } = w.w;
    const zpBytes = Math.ceil(blocks / 2);
    const codes = this.unpack(this.op('Gather', [w.packed, ids], { axis: 0 })); // (B, T, blocks, 32)
    const zpRows = this.reshape(w.zp, [V, zpBytes]); // (V, ceil(blocks/2))
    let zp = this.unpack(this.op('Gather', [zpRows, ids], { axis: 0 })); // (B, T, 2·ceil(blocks/2))
    if (2 * zpBytes !== blocks) zp = this.op('Slice', [zp, b.ints([0]), b.ints([blocks]), b.ints([-1])]); // (B, T, blocks)
    const s = this.op('Gather', [this.reshape(w.scales, [V, blocks]), ids], { axis: 0 }); // (B, T, blocks)
    const centered = this.op('Sub', [this.toFloat(codes), unsq(this.toFloat(zp))]); // (B, T, blocks, 32)
    let rows = this.reshape(this.op('Mul', [centered, unsq(s)]), [0, 0, blocks * Q4_BLOCK]); // (B, T, blocks·32)
    if (blocks * Q4_BLOCK !== C) rows = this.op('Slice', [rows, b.ints([0]), b.ints([C]), b.ints([-1])]); // (B, T, C)
    this.op('Identity', [rows], {}, { outputNames: [out] }); // (B, T, C)
  }

  /** uint8 (..., m) → its 4-bit codes (..., 2m), low nibble first. */
  private unpack(x: Value): Value {
    const { b } = this;
    const u8 = (v: number) => b.constant({ dtype: 'uint8', dims: [], data: Uint8Array.from([v]) });
    const info = [{ dtype: 'uint8' as const, shape: x.shape }];
    const lo = this.op('BitwiseAnd', [x, u8(15)], {}, { outputInfos: info }); // (..., m)
    const hi = this.op('BitShift', [x, u8(4)], { direction: 'RIGHT' }, { outputInfos: info }); // (..., m)
    const both = this.op(
      'Concat',
      [this.op('Unsqueeze', [lo, b.ints([-1])]), this.op('Unsqueeze', [hi, b.ints([-1])])],
      {
        axis: -1,
      },
    ); // (..., m, 2)
    const m = x.shape[x.shape.length - 1] as number;
    return this.reshape(both, [...x.shape.slice(0, -1).map(() => 0), 2 * m]); // (..., 2m)
  }

  run(): Graph {
    const { b, graph } = this;
    for (const i of graph.inputs) b.input(i.name, i.dtype, i.shape);
    // Kept initializers first, so names made up for new constants cannot collide with them.
    for (const name of graph.initializers.keys())
      if (this.dtype === 'fp16' || !this.quantized.has(name)) this.v(name);
    for (const n of graph.nodes) {
      const use = this.uses.get(n.name);
      if (this.dtype !== 'fp16' && use !== undefined && this.quantized.has(use.init)) {
        this.matmul(n, use);
        continue;
      }
      const src = n.inputs[0] ?? '';
      if (this.dtype !== 'fp16' && this.quantized.has(src)) {
        if (n.opType === 'Transpose') continue; // read by a rewritten LM head only
        if (n.opType === 'Gather') {
          this.gather(n, src);
          continue;
        }
      }
      b.op(
        n.opType,
        n.inputs.map((i) => (i === '' ? undefined : this.v(i))),
        n.attributes,
        {
          name: n.name,
          domain: n.domain,
          outputNames: n.outputs,
          outputInfos: n.outputs.map((o) => graph.values.get(o)!),
        },
      );
    }
    for (const o of graph.outputs) b.output(b.value(o.name));
    return b.build();
  }
}

/**
 * Returns a copy of `graph` with its MatMul weights (and the tied embedding, unless
 * `embedding: 'float32'`) quantized to `dtype`. The graph's inputs and outputs are unchanged.
 */
export function quantizeGraph(graph: Graph, dtype: QuantizeDType, opts: QuantizeGraphOptions = {}): Graph {
  if (!QUANTIZE_DTYPES.includes(dtype))
    throw new ExportError(
      `unknown quantization '${String(dtype)}'; use one of ${QUANTIZE_DTYPES.join(', ')}`,
      {
        option: 'dtype',
      },
    );
  for (const k of Object.keys(opts))
    if (!OPTION_KEYS.has(k))
      throw new ExportError(`unknown quantizeGraph option '${k}'; known: ${[...OPTION_KEYS].join(', ')}`, {
        option: k,
      });
  const full: Required<QuantizeGraphOptions> = {
    embedding: opts.embedding ?? 'quantize',
    q8Kernel: opts.q8Kernel ?? 'integer',
    accuracyLevel: opts.accuracyLevel ?? 4,
  };
  return new Rewriter(graph, dtype, full).run();
}
