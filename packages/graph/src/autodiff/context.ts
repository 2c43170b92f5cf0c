// What a gradient rule sees of one forward node: its inputs and outputs, the summed
// gradients of its outputs, and a way to hand back the gradient of each input. The
// engine (engine.ts) sums contributions and undoes broadcasting, so a rule only
// writes the local math. Helpers here emit the few shape ops many rules share.
// Modelled on ONNX Runtime's gradient builder helpers (I(i), O(i), GO(i), GI(i)).

import type { AttributeInput, GraphBuilder, OpOptions, Value } from '../builder.js';
import type { DType, Graph, Node, Shape, TensorData } from '../ir.js';
import { GradientError } from './errors.js';

/** The engine services a context uses; implemented in engine.ts. */
export interface EngineServices {
  readonly builder: GraphBuilder;
  /** Summed gradient of a value, or undefined when nothing reached it. */
  gradOf(name: string): Value | undefined;
  /** Adds one gradient contribution to a value (already reduced to its shape). */
  addGrad(name: string, grad: Value): void;
  /** True when a gradient must flow into this value (float, depends on a wrt value). */
  needsGrad(name: string): boolean;
  /** The forward node that produced a value. */
  producer(name: string): Node | undefined;
  /** A cached int64 or float constant. */
  constant(key: string, make: () => Value): Value;
  /** Reduces a gradient to the shape of the value it belongs to (sums broadcast axes). */
  unbroadcast(grad: Value, to: Value, node: Node): Value;
}

/** One entry of the rule registry: the backward of one op type. */
export interface GradientRule {
  /** Emits the gradients of the node's inputs from the gradients of its outputs. */
  readonly backward: (c: GradContext) => void;
  /** How many outputs the forward node must expose for `backward` (saved results); the engine adds missing ones. */
  readonly savedOutputs?: (node: Node, forward: Graph) => number;
}

const FLOAT_ARRAYS = { float32: Float32Array, float64: Float64Array } as const;

/** The view of one forward node given to its gradient rule. */
export class GradContext {
  constructor(
    readonly node: Node,
    private readonly engine: EngineServices,
  ) {}

  /** The builder the backward nodes go into. */
  get b(): GraphBuilder {
    return this.engine.builder;
  }

  /** Forward input i; throws when the optional input is omitted. */
  input(i: number): Value {
    const name = this.node.inputs[i];
    if (name === undefined || name === '') this.fail(`input ${i} is required by the gradient rule`);
    return this.b.value(name!);
  }

  /** True when forward input i is present. */
  hasInput(i: number): boolean {
    const name = this.node.inputs[i];
    return name !== undefined && name !== '';
  }

  /** Forward output i. */
  output(i: number): Value {
    const name = this.node.outputs[i];
    if (name === undefined || name === '') this.fail(`output ${i} is required by the gradient rule`);
    return this.b.value(name!);
  }

  /** Summed gradient of output i, or undefined when the output does not reach the loss. */
  gradOut(i: number): Value | undefined {
    const name = this.node.outputs[i];
    return name === undefined || name === '' ? undefined : this.engine.gradOf(name);
  }

  /** Gradient of output i; throws when it has none (single-output rules). */
  dY(i = 0): Value {
    const g = this.gradOut(i);
    if (g === undefined) this.fail(`output ${i} has no gradient`);
    return g!;
  }

  /** Gradient of output i, or zeros of its shape when it does not reach the loss. */
  gradOutOrZeros(i: number): Value {
    return this.gradOut(i) ?? this.zerosLike(this.output(i));
  }

  /** True when input i needs a gradient; rules skip the work otherwise. */
  needsGrad(i: number): boolean {
    return this.hasInput(i) && this.engine.needsGrad(this.node.inputs[i]!);
  }

  /** Hands back the gradient of input i; the engine sums broadcast axes and accumulates. */
  setGrad(i: number, grad: Value): void {
    if (!this.needsGrad(i)) return;
    const x = this.input(i);
    this.engine.addGrad(x.name, this.engine.unbroadcast(grad, x, this.node));
  }

  /** Element type of input i (the float type rules compute in). */
  dtype(i = 0): DType {
    return this.input(i).dtype;
  }

  /** Adds one backward node, named after the forward node for profiling. */
  op(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attrs: Readonly<Record<string, AttributeInput>> = {},
    opts: OpOptions = {},
  ): Value {
    return this.b.op1(opType, inputs, attrs, {
      name: this.b.uniqueName(`${this.node.name}/grad/${opType}`),
      ...opts,
    });
  }

  /** Adds one backward node with several outputs. */
  opN(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attrs: Readonly<Record<string, AttributeInput>>,
    outputs: number,
  ): Value[] {
    return this.b.op(opType, inputs, attrs, {
      name: this.b.uniqueName(`${this.node.name}/grad/${opType}`),
      outputs,
    });
  }

  mul(a: Value, b: Value): Value {
    return this.op('Mul', [a, b]);
  }
  add(a: Value, b: Value): Value {
    return this.op('Add', [a, b]);
  }
  sub(a: Value, b: Value): Value {
    return this.op('Sub', [a, b]);
  }
  div(a: Value, b: Value): Value {
    return this.op('Div', [a, b]);
  }
  neg(a: Value): Value {
    return this.op('Neg', [a]);
  }

  /** A cached scalar constant of a float dtype (default: input 0's). */
  scalar(value: number, dtype: DType = this.dtype()): Value {
    if (dtype !== 'float32' && dtype !== 'float64') this.fail(`cannot make a ${dtype} float constant`);
    const d = dtype as 'float32' | 'float64';
    return this.engine.constant(`${d}:${value}`, () =>
      this.b.constant({ dtype: d, dims: [], data: new FLOAT_ARRAYS[d]([value]) }, 'grad_const'),
    );
  }

  /** A cached 1-D int64 constant (shapes, axes, sizes). */
  ints(values: readonly number[]): Value {
    return this.engine.constant(`ints:${values.join(',')}`, () => this.b.ints(values));
  }

  /** The value of an int attribute. */
  intAttr(name: string, dflt: number): number {
    const a = this.node.attributes[name];
    if (a === undefined) return dflt;
    if (a.kind !== 'int') this.fail(`attribute '${name}' must be an int`);
    return a.value as number;
  }

  /** The value of an optional int attribute. */
  optionalIntAttr(name: string): number | undefined {
    const a = this.node.attributes[name];
    return a === undefined ? undefined : this.intAttr(name, 0);
  }

  /** The value of a float attribute. */
  floatAttr(name: string, dflt: number): number {
    const a = this.node.attributes[name];
    if (a === undefined) return dflt;
    if (a.kind !== 'float' && a.kind !== 'int') this.fail(`attribute '${name}' must be a float`);
    return a.value as number;
  }

  /** The value of a string attribute. */
  stringAttr(name: string, dflt: string): string {
    const a = this.node.attributes[name];
    if (a === undefined) return dflt;
    if (a.kind !== 'string') this.fail(`attribute '${name}' must be a string`);
    return a.value as string;
  }

  /** The value of an ints attribute. */
  intsAttr(name: string): readonly number[] | undefined {
    const a = this.node.attributes[name];
    if (a === undefined) return undefined;
    if (a.kind !== 'ints') this.fail(`attribute '${name}' must be ints`);
    return a.value as readonly number[];
  }

  /** The constant tensor behind input i, if it is an initializer or Constant. */
  constantInput(i: number): TensorData | undefined {
    return this.hasInput(i) ? this.b.constantOf(this.node.inputs[i]!) : undefined;
  }

  /** Numbers of a constant input (axes, shape, exponent…); undefined when not constant. */
  constantNumbers(i: number): number[] | undefined {
    const t = this.constantInput(i);
    return t === undefined ? undefined : Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
  }

  /** Normalises a possibly negative axis against a rank. */
  axis(a: number, rank: number): number {
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) this.fail(`axis ${a} is out of range for rank ${rank}`);
    return r;
  }

  /** `v` reshaped to `like`'s shape (a constant shape when static, else Shape(like)). */
  reshapeLike(v: Value, like: Value): Value {
    if (sameShape(v.shape, like.shape)) return v;
    if (isStatic(like.shape)) return this.op('Reshape', [v, this.ints(like.shape as number[])]);
    return this.op(
      'Reshape',
      [v, this.op('Shape', [like])],
      {},
      { outputInfos: [{ dtype: v.dtype, shape: like.shape }] },
    );
  }

  /** `v` broadcast to `like`'s shape with Expand. */
  expandLike(v: Value, like: Value): Value {
    if (sameShape(v.shape, like.shape)) return v;
    const shape = isStatic(like.shape) ? this.ints(like.shape as number[]) : this.op('Shape', [like]);
    return this.op('Expand', [v, shape], {}, { outputInfos: [{ dtype: v.dtype, shape: like.shape }] });
  }

  /** Zeros of `like`'s dtype and shape. */
  zerosLike(like: Value): Value {
    const shape = isStatic(like.shape) ? this.ints(like.shape as number[]) : this.op('Shape', [like]);
    const d = like.dtype as 'float32' | 'float64';
    const value: TensorData = { dtype: d, dims: [1], data: new FLOAT_ARRAYS[d]([0]) };
    return this.op(
      'ConstantOfShape',
      [shape],
      { value: { kind: 'tensor', value } },
      { outputInfos: [{ dtype: d, shape: like.shape }] },
    );
  }

  /**
   * `v` with its last two axes swapped. When `v` was itself made by a Transpose whose
   * permutation this undoes, the Transpose's input is returned and no node is added.
   */
  swapLastTwo(v: Value): Value {
    const r = v.shape.length;
    const swap = [...Array(r - 2).keys(), r - 1, r - 2];
    const p = this.engine.producer(v.name);
    if (p?.opType === 'Transpose') {
      const perm = p.attributes['perm'];
      if (perm?.kind === 'ints' && swap.every((s, i) => perm.value[s] === i))
        return this.b.value(p.inputs[0]!);
    }
    return this.engine.constant(`swap:${v.name}`, () => this.op('Transpose', [v], { perm: swap }));
  }

  /** Throws a GradientError naming this node. */
  fail(message: string): never {
    throw new GradientError(message, this.node.name, this.node.opType);
  }
}

/** True when every dim is a number. */
export function isStatic(shape: Shape): boolean {
  return shape.every((d) => typeof d === 'number');
}

/** True when two shapes have the same rank and the same dims (symbolic dims compared by name). */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
