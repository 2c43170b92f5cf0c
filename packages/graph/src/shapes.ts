// The shared pieces of shape and dtype inference: what a shape rule sees of a node
// (InferContext), small helpers the rules in ops/ share (input, attributes, constant
// inputs, axis normalisation, numpy broadcasting) and the ONNX dtype codes. The rules
// themselves sit beside their gradient rules in ops/*.ts; `inferOutputs` (ops/index.ts)
// dispatches to them. Reference: https://onnx.ai/onnx/operators/ (opset 20).

import type { GradientRule } from './autodiff/context.js';
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

/** The context a shape rule runs with: an InferContext plus a source of symbolic dim names. */
export interface RuleContext extends InferContext {
  /**
   * A symbolic dim for a size that cannot be known statically, named after the node
   * (`<node>_dim<k>`, k counting within this node), so the same graph always gets the same names.
   */
  freshDim(): string;
}

/** One output's inferred dtype and shape. */
export type InferredOutput = { dtype: DType; shape: Dim[] };

/** Infers a node's outputs from its inputs and attributes; throws a GraphError on inconsistent inputs. */
export type ShapeRule = (c: RuleContext) => InferredOutput[];

/** One op type: its shape rule and, when it is differentiable, its gradient rule, side by side. */
export interface OpDef {
  readonly shape: ShapeRule;
  readonly grad?: GradientRule;
}

/** A table of op definitions by ONNX op type (default domain). */
export type OpTable = Readonly<Record<string, OpDef>>;

/** Throws a GraphError naming the node. */
export const fail = (c: InferContext, msg: string): never => {
  throw new GraphError(`${c.opType}: ${msg}`, c.nodeName);
};

/** Input i; throws when the optional input is omitted. */
export function input(c: InferContext, i: number): { dtype: DType; shape: Shape } {
  const v = c.inputs[i];
  if (v === undefined) return fail(c, `input ${i} is required`);
  return v;
}

/** An int attribute, or `dflt` when absent. */
export function intAttr(c: InferContext, name: string, dflt: number): number {
  const a = c.attributes[name];
  if (a === undefined) return dflt;
  if (a.kind !== 'int') return fail(c, `attribute '${name}' must be an int`);
  return a.value;
}

/** An ints attribute, or undefined when absent. */
export function intsAttr(c: InferContext, name: string): readonly number[] | undefined {
  const a = c.attributes[name];
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') return fail(c, `attribute '${name}' must be ints`);
  return a.value;
}

/** Integer contents of a constant input (shape, axes, starts…); undefined when not constant. */
export function constInts(c: InferContext, i: number): number[] | undefined {
  const t = c.constant(i);
  if (t === undefined) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

/** A possibly negative axis normalised against a rank; throws when out of range. */
export function normAxis(c: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(c, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Product of static dims; undefined when any dim is symbolic. */
export function staticSize(shape: Shape): number | undefined {
  return shape.every((d) => typeof d === 'number')
    ? (shape as number[]).reduce((a, b) => a * b, 1)
    : undefined;
}

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

/** Output like input 0 (unary elementwise ops). */
export const same: ShapeRule = (c) => {
  const x = input(c, 0);
  return [{ dtype: x.dtype, shape: [...x.shape] }];
};

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
