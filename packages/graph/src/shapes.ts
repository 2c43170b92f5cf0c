// Shape and dtype inference for the ONNX ops SpinettAI graphs use. The builder
// calls `inferOutputs` for every node it adds, so a rank or size mismatch is
// reported where the node is built, with its name, rather than deep inside
// onnxruntime. Ops without a rule here must be given explicit output infos.
// Reference: https://onnx.ai/onnx/operators/ (opset 20).

import { GraphError } from './errors.js';
import type { Attribute, Dim, DType, Shape, TensorData } from './ir.js';

/** What a shape rule sees of one node. */
export interface InferContext {
  readonly nodeName: string;
  readonly opType: string;
  /** dtype/shape of each input; undefined for an omitted optional input. */
  readonly inputs: readonly ({ dtype: DType; shape: Shape } | undefined)[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  /** The constant value of input i, when it is an initializer or constant. */
  constant(i: number): TensorData | undefined;
  readonly numOutputs: number;
}

export type InferredOutput = { dtype: DType; shape: Dim[] };
type Rule = (c: InferContext) => InferredOutput[];

const fail = (c: InferContext, msg: string): never => {
  throw new GraphError(`${c.opType}: ${msg}`, c.nodeName);
};

function input(c: InferContext, i: number): { dtype: DType; shape: Shape } {
  const v = c.inputs[i];
  if (v === undefined) return fail(c, `input ${i} is required`);
  return v;
}

function intAttr(c: InferContext, name: string, dflt: number): number {
  const a = c.attributes[name];
  if (a === undefined) return dflt;
  if (a.kind !== 'int') return fail(c, `attribute '${name}' must be an int`);
  return a.value;
}

function intsAttr(c: InferContext, name: string): readonly number[] | undefined {
  const a = c.attributes[name];
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') return fail(c, `attribute '${name}' must be ints`);
  return a.value;
}

/** Integer contents of a constant input (shape, axes, starts…); undefined when not constant. */
function constInts(c: InferContext, i: number): number[] | undefined {
  const t = c.constant(i);
  if (t === undefined) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

function normAxis(c: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(c, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

let symbolCounter = 0;
/** A fresh symbolic dim for sizes that cannot be known statically. */
const freshDim = (c: InferContext): string => `${c.nodeName}_dim${symbolCounter++}`;

function broadcastDim(c: InferContext, a: Dim, b: Dim): Dim {
  if (a === b || b === 1) return a;
  if (a === 1) return b;
  if (typeof a === 'number' && typeof b === 'number') {
    return fail(c, `cannot broadcast dims ${a} and ${b}`);
  }
  return typeof a === 'number' ? a : b;
}

/** Numpy-style multidirectional broadcasting. */
export function broadcastShapes(c: InferContext, shapes: readonly Shape[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k >= 0) d = broadcastDim(c, d, s[k]!);
    }
    out.push(d);
  }
  return out;
}

const same: Rule = (c) => {
  const x = input(c, 0);
  return [{ dtype: x.dtype, shape: [...x.shape] }];
};

const binary: Rule = (c) => [
  { dtype: input(c, 0).dtype, shape: broadcastShapes(c, [input(c, 0).shape, input(c, 1).shape]) },
];

const compare: Rule = (c) => [{ dtype: 'bool', shape: binary(c)[0]!.shape }];

const variadic: Rule = (c) => [
  {
    dtype: input(c, 0).dtype,
    shape: broadcastShapes(
      c,
      c.inputs.map((_, i) => input(c, i).shape),
    ),
  },
];

const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};

/** ONNX TensorProto.DataType code of a dtype. */
export function onnxDTypeCode(dtype: DType): number {
  for (const [code, d] of Object.entries(ONNX_DTYPES)) if (d === dtype) return Number(code);
  throw new GraphError(`dtype ${dtype} has no ONNX code`);
}

/** The dtype for an ONNX TensorProto.DataType code. */
export function dtypeFromOnnx(code: number): DType {
  const d = ONNX_DTYPES[code];
  if (d === undefined) throw new GraphError(`ONNX data type ${code} is not supported`);
  return d;
}

function reduce(c: InferContext, axesFromInput: boolean): InferredOutput[] {
  const x = input(c, 0);
  const keep = intAttr(c, 'keepdims', 1) === 1;
  let axes = axesFromInput ? (c.inputs[1] ? constInts(c, 1) : []) : intsAttr(c, 'axes');
  if (axes === undefined && axesFromInput) return fail(c, 'axes must be a constant');
  if (axes === undefined || axes.length === 0) {
    if (intAttr(c, 'noop_with_empty_axes', 0) === 1) return [{ dtype: x.dtype, shape: [...x.shape] }];
    axes = x.shape.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => normAxis(c, a, x.shape.length)));
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!set.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype: x.dtype, shape }];
}

function matmulShape(c: InferContext, a: Shape, b: Shape): Dim[] {
  if (a.length === 0 || b.length === 0) fail(c, 'MatMul inputs must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    fail(c, `inner dims differ: [${a.join(', ')}] · [${b.join(', ')}]`);
  }
  const batch = broadcastShapes(c, [a2.slice(0, -2), b2.slice(0, -2)]);
  const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}

const RULES: Record<string, Rule> = {
  Identity: same,
  Neg: same,
  Abs: same,
  Exp: same,
  Log: same,
  Sqrt: same,
  Reciprocal: same,
  Tanh: same,
  Sigmoid: same,
  Relu: same,
  Erf: same,
  Gelu: same,
  Softmax: same,
  LogSoftmax: same,
  Sign: same,
  Floor: same,
  Ceil: same,
  Sin: same,
  Cos: same,
  Not: same,
  Trilu: same,
  Clip: same,
  IsNaN: (c) => [{ dtype: 'bool', shape: [...input(c, 0).shape] }],
  IsInf: (c) => [{ dtype: 'bool', shape: [...input(c, 0).shape] }],
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: binary,
  Max: variadic,
  Min: variadic,
  Sum: variadic,
  Mean: variadic,
  Equal: compare,
  Less: compare,
  Greater: compare,
  LessOrEqual: compare,
  GreaterOrEqual: compare,
  And: compare,
  Or: compare,
  Where: (c) => [
    {
      dtype: input(c, 1).dtype,
      shape: broadcastShapes(
        c,
        [0, 1, 2].map((i) => input(c, i).shape),
      ),
    },
  ],
  Cast: (c) => [{ dtype: dtypeFromOnnx(intAttr(c, 'to', 1)), shape: [...input(c, 0).shape] }],
  Dropout: (c) => {
    const x = input(c, 0);
    const outs: InferredOutput[] = [{ dtype: x.dtype, shape: [...x.shape] }];
    if (c.numOutputs > 1) outs.push({ dtype: 'bool', shape: [...x.shape] });
    return outs;
  },
  MatMul: (c) => [{ dtype: input(c, 0).dtype, shape: matmulShape(c, input(c, 0).shape, input(c, 1).shape) }],
  Gemm: (c) => {
    const a = input(c, 0).shape;
    const b = input(c, 1).shape;
    if (a.length !== 2 || b.length !== 2) fail(c, 'Gemm inputs must be 2-D');
    const m = intAttr(c, 'transA', 0) ? a[1]! : a[0]!;
    const n = intAttr(c, 'transB', 0) ? b[0]! : b[1]!;
    return [{ dtype: input(c, 0).dtype, shape: [m, n] }];
  },
  Transpose: (c) => {
    const x = input(c, 0);
    const perm = intsAttr(c, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    if (perm.length !== x.shape.length)
      fail(c, `perm has ${perm.length} axes but input has rank ${x.shape.length}`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) }];
  },
  Reshape: (c) => {
    const x = input(c, 0);
    const target = constInts(c, 1);
    if (target === undefined) {
      const s = input(c, 1).shape;
      const n = s[0];
      if (typeof n !== 'number') return fail(c, 'shape input must be constant or have a static length');
      return [{ dtype: x.dtype, shape: Array.from({ length: n }, () => freshDim(c)) }];
    }
    const shape: Dim[] = target.map((d, i) =>
      d === 0 ? (x.shape[i] ?? fail(c, `0 at ${i} copies no dim`)) : d,
    );
    const minus = shape.indexOf(-1);
    if (minus >= 0) {
      const total = x.shape.every((d) => typeof d === 'number')
        ? (x.shape as number[]).reduce((a, b) => a * b, 1)
        : undefined;
      const rest = shape.filter((_, i) => i !== minus);
      if (total !== undefined && rest.every((d) => typeof d === 'number')) {
        const known = (rest as number[]).reduce((a, b) => a * b, 1);
        if (total % known !== 0) fail(c, `cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
        shape[minus] = total / known;
      } else {
        shape[minus] = freshDim(c);
      }
    } else if (x.shape.every((d) => typeof d === 'number') && shape.every((d) => typeof d === 'number')) {
      const a = (x.shape as number[]).reduce((p, q) => p * q, 1);
      const b = (shape as number[]).reduce((p, q) => p * q, 1);
      if (a !== b) fail(c, `cannot reshape [${x.shape.join(', ')}] (${a} elements) to [${shape.join(', ')}]`);
    }
    return [{ dtype: x.dtype, shape }];
  },
  Gather: (c) => {
    const x = input(c, 0);
    const idx = input(c, 1);
    const axis = normAxis(c, intAttr(c, 'axis', 0), x.shape.length);
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
  },
  Concat: (c) => {
    const first = input(c, 0);
    const axis = normAxis(c, intAttr(c, 'axis', 0), first.shape.length);
    let total: Dim = 0;
    for (let i = 0; i < c.inputs.length; i++) {
      const s = input(c, i).shape;
      if (s.length !== first.shape.length)
        fail(c, `input ${i} has rank ${s.length}, expected ${first.shape.length}`);
      const d = s[axis]!;
      total = typeof total === 'number' && typeof d === 'number' ? total + d : freshDim(c);
    }
    return [{ dtype: first.dtype, shape: first.shape.map((d, i) => (i === axis ? total : d)) }];
  },
  Split: (c) => {
    const x = input(c, 0);
    const axis = normAxis(c, intAttr(c, 'axis', 0), x.shape.length);
    const d = x.shape[axis]!;
    let sizes = c.inputs[1] ? constInts(c, 1) : undefined;
    if (sizes === undefined) {
      if (typeof d !== 'number') return fail(c, 'splitting a symbolic dim needs explicit sizes');
      const n = c.numOutputs;
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => Math.min(chunk, d - chunk * i));
    }
    if (sizes.length !== c.numOutputs) fail(c, `${sizes.length} split sizes for ${c.numOutputs} outputs`);
    return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((dd, i) => (i === axis ? s : dd)) }));
  },
  Slice: (c) => {
    const x = input(c, 0);
    const starts = constInts(c, 1);
    const ends = constInts(c, 2);
    if (starts === undefined || ends === undefined) {
      // Computed bounds: the sliced axes get fresh symbolic sizes.
      const axes = c.inputs[3] ? constInts(c, 3) : undefined;
      if (axes === undefined) return fail(c, 'axes must be constant when starts or ends are computed');
      const shape: Dim[] = [...x.shape];
      for (const a of axes) shape[normAxis(c, a, x.shape.length)] = freshDim(c);
      return [{ dtype: x.dtype, shape }];
    }
    const axes = c.inputs[3] ? constInts(c, 3) : starts.map((_, i) => i);
    const steps = c.inputs[4] ? constInts(c, 4) : starts.map(() => 1);
    if (axes === undefined || steps === undefined) return fail(c, 'axes and steps must be constants');
    const shape: Dim[] = [...x.shape];
    axes.forEach((a, k) => {
      const ax = normAxis(c, a, x.shape.length);
      const d = x.shape[ax]!;
      const step = steps[k]!;
      if (typeof d !== 'number') {
        shape[ax] = freshDim(c);
        return;
      }
      const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
      let s = starts[k]!;
      let e = ends[k]!;
      if (s < 0) s += d;
      if (e < 0) e += d;
      if (step > 0) {
        s = clamp(s, 0, d);
        e = clamp(e, 0, d);
        shape[ax] = Math.max(0, Math.ceil((e - s) / step));
      } else {
        s = clamp(s, -1, d - 1);
        e = clamp(e, -1, d - 1);
        shape[ax] = Math.max(0, Math.ceil((e - s) / step));
      }
    });
    return [{ dtype: x.dtype, shape }];
  },
  ReduceSum: (c) => reduce(c, true),
  ReduceMean: (c) => reduce(c, true),
  ReduceMax: (c) => reduce(c, true),
  ReduceSumSquare: (c) => reduce(c, true),
  ReduceL2: (c) => reduce(c, true),
  LayerNormalization: (c) => {
    const x = input(c, 0);
    const axis = normAxis(c, intAttr(c, 'axis', -1), x.shape.length);
    const stat = x.shape.map((d, i) => (i < axis ? d : 1));
    const outs: InferredOutput[] = [{ dtype: x.dtype, shape: [...x.shape] }];
    for (let i = 1; i < c.numOutputs; i++) outs.push({ dtype: x.dtype, shape: stat });
    return outs;
  },
  Expand: (c) => {
    const x = input(c, 0);
    const target = constInts(c, 1);
    if (target === undefined) return fail(c, 'shape must be a constant');
    return [{ dtype: x.dtype, shape: broadcastShapes(c, [x.shape, target]) }];
  },
  Unsqueeze: (c) => {
    const x = input(c, 0);
    const axes = constInts(c, 1);
    if (axes === undefined) return fail(c, 'axes must be a constant');
    const rank = x.shape.length + axes.length;
    const set = new Set(axes.map((a) => normAxis(c, a, rank)));
    const shape: Dim[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[k++]!);
    return [{ dtype: x.dtype, shape }];
  },
  Squeeze: (c) => {
    const x = input(c, 0);
    const axes = c.inputs[1] ? constInts(c, 1) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    if (axes === undefined) return fail(c, 'axes must be a constant');
    const set = new Set(axes.map((a) => normAxis(c, a, x.shape.length)));
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !set.has(i)) }];
  },
  Shape: (c) => {
    const rank = input(c, 0).shape.length;
    const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
    const start = clampAxis(intAttr(c, 'start', 0));
    const end = clampAxis(intAttr(c, 'end', rank));
    return [{ dtype: 'int64', shape: [Math.max(end - start, 0)] }];
  },
  Constant: (c) => {
    const v = c.attributes['value'];
    if (v === undefined || v.kind !== 'tensor') return fail(c, "Constant needs a tensor 'value'");
    return [{ dtype: v.value.dtype, shape: [...v.value.dims] }];
  },
  ConstantOfShape: (c) => {
    const dims = constInts(c, 0);
    const v = c.attributes['value'];
    const dtype = v !== undefined && v.kind === 'tensor' ? v.value.dtype : 'float32';
    if (dims === undefined) {
      const n = input(c, 0).shape[0];
      if (typeof n !== 'number') return fail(c, 'shape input must have a static length');
      return [{ dtype, shape: Array.from({ length: n }, () => freshDim(c)) }];
    }
    return [{ dtype, shape: dims }];
  },
  Range: (c) => {
    const [s, l, d] = [constInts(c, 0), constInts(c, 1), constInts(c, 2)];
    const n = s && l && d ? Math.max(Math.ceil((l[0]! - s[0]!) / d[0]!), 0) : freshDim(c);
    return [{ dtype: input(c, 0).dtype, shape: [n] }];
  },
  SoftmaxCrossEntropyLoss: (c) => {
    const scores = input(c, 0);
    const labels = input(c, 1);
    const reduction = c.attributes['reduction'];
    const none = reduction !== undefined && reduction.kind === 'string' && reduction.value === 'none';
    const outs: InferredOutput[] = [{ dtype: scores.dtype, shape: none ? [...labels.shape] : [] }];
    if (c.numOutputs > 1) outs.push({ dtype: scores.dtype, shape: [...scores.shape] });
    return outs;
  },
};

/** True when the builder can infer outputs of this op type by itself. */
export function hasShapeRule(opType: string): boolean {
  return opType in RULES;
}

/** Infers each output's dtype and shape; throws a GraphError naming the node on inconsistent inputs. */
export function inferOutputs(c: InferContext): InferredOutput[] {
  const rule = RULES[c.opType];
  if (rule === undefined) {
    throw new GraphError(`no shape rule for op type '${c.opType}'; pass explicit output infos`, c.nodeName);
  }
  return rule(c);
}
