// A small typed builder for ONNX graphs. Every node added is shape-checked on the
// spot (shapes.ts), so mistakes surface with the node's name at build time. The
// model package builds GPT-2 with it; the trainer's autodiff extends a finished
// forward graph with backward nodes through `GraphBuilder.extend`.

import { GraphError, rejectUnknownKeys } from './errors.js';
import type { Attribute, DType, Graph, Node, Shape, TensorData, ValueInfo } from './ir.js';
import { inferOutputs } from './ops/index.js';
import { type InferredOutput, onnxDTypeCode } from './shapes.js';
import { isValidated, validateExtension, validateGraph } from './validate.js';

export { validateGraph };

/** A value handle returned by the builder. */
export type Value = ValueInfo;

/** Attribute as written at a call site: plain ints, int lists and strings are tagged automatically. */
export type AttributeInput = Attribute | number | readonly number[] | string;

/** Options of `GraphBuilder.op`. */
export interface OpOptions {
  /** Node name; defaults to `<OpType>_<n>`. */
  name?: string | undefined;
  /** ONNX domain; '' (default) is the standard one. */
  domain?: string | undefined;
  /** Number of outputs (default 1). */
  outputs?: number | undefined;
  /** Output value names; default `<node name>_<i>` (or `<node name>` for a single output). */
  outputNames?: readonly string[] | undefined;
  /** Explicit output dtypes and shapes, for ops without a shape rule. */
  outputInfos?: readonly { dtype: DType; shape: Shape }[] | undefined;
}

const OP_KEYS = ['name', 'domain', 'outputs', 'outputNames', 'outputInfos'] as const;

function tagAttribute(name: string, v: AttributeInput): Attribute {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return { kind: 'float', value: v };
    return { kind: 'int', value: v };
  }
  if (Array.isArray(v)) {
    if (!v.every((x) => Number.isInteger(x)))
      throw new GraphError(`attribute '${name}': use attr.floats for float lists`);
    return { kind: 'ints', value: v };
  }
  return v as Attribute;
}

const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
} as const;

/**
 * Builds a graph node by node in topological order, inferring each output's dtype and
 * shape as it goes (a mismatch throws a GraphError naming the node).
 *
 * @example
 * const b = new GraphBuilder('linear');
 * const x = b.input('x', 'float32', ['batch', 3]); // (B, 3)
 * const w = b.input('w', 'float32', [3, 2]); // (3, 2)
 * const y = b.op1('Relu', [b.matmul(x, w)]); // (B, 2)
 * b.output(b.reduceMean(y, [0, 1], false), 'loss'); // ()
 * const graph = b.build(); // validated
 * const bytes = serializeModel(graph); // for InferenceSession.create(bytes)
 */
export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, TensorData>();
  private readonly nodes: Node[] = [];
  private readonly values = new Map<string, ValueInfo>();
  private readonly constants = new Map<string, TensorData>();
  private readonly usedNames = new Set<string>();
  private counter = 0;
  /** The graph the last `build()` validated; dropped by any change. */
  private built: Graph | undefined;
  /** Leading nodes and initializers taken unchanged from an already validated graph (extend). */
  private trusted = { nodes: 0, initializers: 0 };

  constructor(readonly name = 'graph') {}

  /** A builder that continues an existing graph: its inputs, initializers and nodes are kept, outputs dropped. */
  static extend(graph: Graph, opts: { keepOutputs?: boolean | undefined } = {}): GraphBuilder {
    rejectUnknownKeys('GraphBuilder.extend', opts, ['keepOutputs']);
    const b = new GraphBuilder(graph.name);
    for (const v of graph.inputs) b.input(v.name, v.dtype, v.shape);
    for (const [name, t] of graph.initializers) b.initializer(name, t);
    for (const n of graph.nodes) {
      b.nodes.push(n);
      b.usedNames.add(n.name);
      b.built = undefined;
      for (const o of n.outputs) {
        const info = graph.values.get(o);
        if (info === undefined) throw new GraphError(`output '${o}' has no value info`, n.name);
        b.define(info, n.name);
      }
      if (n.opType === 'Constant') {
        const v = n.attributes['value'];
        if (v?.kind === 'tensor' && n.outputs[0] !== undefined) b.constants.set(n.outputs[0], v.value);
      }
    }
    if (isValidated(graph)) b.trusted = { nodes: graph.nodes.length, initializers: graph.initializers.size };
    if (opts.keepOutputs) for (const o of graph.outputs) b.output(b.value(o.name));
    return b;
  }

  private define(info: ValueInfo, by: string): void {
    if (info.name === '') throw new GraphError('a value needs a non-empty name', by);
    if (this.values.has(info.name)) throw new GraphError(`value '${info.name}' is produced twice`, by);
    this.values.set(info.name, info);
    this.built = undefined;
  }

  /** A name not used by any value or node yet. */
  uniqueName(base: string): string {
    let name = base;
    while (this.values.has(name) || this.usedNames.has(name)) name = `${base}_${++this.counter}`;
    return name;
  }

  /** Declares a graph input. */
  input(name: string, dtype: DType, shape: Shape): Value {
    const v: Value = { name, dtype, shape: [...shape] };
    this.define(v, `input ${name}`);
    this.inputs.push(v);
    return v;
  }

  /** Adds a named initializer (a weight or constant stored in the model). */
  initializer(name: string, tensor: TensorData): Value {
    const v: Value = { name, dtype: tensor.dtype, shape: [...tensor.dims] };
    this.define(v, `initializer ${name}`);
    this.initializers.set(name, tensor);
    this.constants.set(name, tensor);
    return v;
  }

  /** A constant tensor (stored as an initializer). */
  constant(tensor: TensorData, name?: string): Value {
    return this.initializer(this.uniqueName(name ?? 'const'), tensor);
  }

  /** A scalar constant of a float or int dtype. */
  scalar(value: number, dtype: 'float32' | 'float64' | 'int64' | 'int32' = 'float32'): Value {
    const data = dtype === 'int64' ? BigInt64Array.from([BigInt(value)]) : new ARRAYS[dtype]([value]);
    return this.constant({ dtype, dims: [], data });
  }

  /** A 1-D int64 constant (shapes, axes, starts…). */
  ints(values: readonly number[]): Value {
    return this.constant({
      dtype: 'int64',
      dims: [values.length],
      data: BigInt64Array.from(values, (v) => BigInt(v)),
    });
  }

  /** The value with this name; throws when unknown. */
  value(name: string): Value {
    const v = this.values.get(name);
    if (v === undefined) throw new GraphError(`unknown value '${name}'`);
    return v;
  }

  /** The constant tensor behind a value, if it is one. */
  constantOf(name: string): TensorData | undefined {
    return this.constants.get(name);
  }

  /** Adds one node and returns its outputs. `undefined` inputs are omitted optional inputs. */
  op(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attributes: Readonly<Record<string, AttributeInput>> = {},
    opts: OpOptions = {},
  ): Value[] {
    rejectUnknownKeys(`GraphBuilder.op (${opType})`, opts, OP_KEYS);
    const name = opts.name !== undefined ? opts.name : this.uniqueName(`${opType}_${this.nodes.length}`);
    if (this.usedNames.has(name)) throw new GraphError('node name is used twice', name);
    const inputNames = inputs.map((v) => {
      if (v === undefined) return '';
      if (!this.values.has(v.name))
        throw new GraphError(`${opType}: input '${v.name}' is not defined yet`, name);
      return v.name;
    });
    while (inputNames.length > 0 && inputNames[inputNames.length - 1] === '') inputNames.pop();
    const attrs: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attributes)) attrs[k] = tagAttribute(k, v);
    const numOutputs = opts.outputNames?.length ?? opts.outputInfos?.length ?? opts.outputs ?? 1;
    const inferred: readonly InferredOutput[] | readonly { dtype: DType; shape: Shape }[] =
      opts.outputInfos ??
      inferOutputs({
        nodeName: name,
        opType,
        inputs: inputs.map((v) => (v === undefined ? undefined : this.value(v.name))),
        attributes: attrs,
        constant: (i) => {
          const v = inputs[i];
          return v === undefined ? undefined : this.constants.get(v.name);
        },
        numOutputs,
      });
    if (inferred.length < numOutputs)
      throw new GraphError(`${opType} yields ${inferred.length} outputs, asked for ${numOutputs}`, name);
    const outs: Value[] = [];
    for (let i = 0; i < numOutputs; i++) {
      const outName = opts.outputNames?.[i] ?? this.uniqueName(numOutputs === 1 ? name : `${name}_${i}`);
      const info: Value = { name: outName, dtype: inferred[i]!.dtype, shape: [...inferred[i]!.shape] };
      this.define(info, name);
      outs.push(info);
    }
    this.usedNames.add(name);
    this.built = undefined;
    this.nodes.push({
      name,
      opType,
      domain: opts.domain ?? '',
      inputs: inputNames,
      outputs: outs.map((o) => o.name),
      attributes: attrs,
    });
    if (opType === 'Constant' && attrs['value']?.kind === 'tensor')
      this.constants.set(outs[0]!.name, attrs['value'].value);
    return outs;
  }

  /** `op` for the common single-output case. */
  op1(
    opType: string,
    inputs: readonly (Value | undefined)[],
    attributes: Readonly<Record<string, AttributeInput>> = {},
    opts: OpOptions = {},
  ): Value {
    return this.op(opType, inputs, attributes, { ...opts, outputs: 1 })[0]!;
  }

  /** Marks a value as a graph output, renaming it through an Identity node when `name` differs. */
  output(v: Value, name?: string): Value {
    const out =
      name === undefined || name === v.name ? v : this.op1('Identity', [v], {}, { outputNames: [name] });
    if (this.outputs.some((o) => o.name === out.name))
      throw new GraphError(`output '${out.name}' is declared twice`);
    this.outputs.push(out);
    this.built = undefined;
    return out;
  }

  // Typed helpers for the ops GPT-2 and its gradients use. Shape comments live at the call sites.
  add(a: Value, b: Value): Value {
    return this.op1('Add', [a, b]);
  }
  sub(a: Value, b: Value): Value {
    return this.op1('Sub', [a, b]);
  }
  mul(a: Value, b: Value): Value {
    return this.op1('Mul', [a, b]);
  }
  div(a: Value, b: Value): Value {
    return this.op1('Div', [a, b]);
  }
  matmul(a: Value, b: Value): Value {
    return this.op1('MatMul', [a, b]);
  }
  reshape(x: Value, shape: readonly number[]): Value {
    return this.op1('Reshape', [x, this.ints(shape)]);
  }
  transpose(x: Value, perm: readonly number[]): Value {
    return this.op1('Transpose', [x], { perm });
  }
  cast(x: Value, to: DType): Value {
    return this.op1('Cast', [x], { to: onnxDTypeCode(to) });
  }
  reduceSum(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.op1('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.op1('ReduceMean', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }

  /** The nodes added so far, in order (a live read-only view: no copy, no validation). */
  get nodeList(): readonly Node[] {
    return this.nodes;
  }

  /** The graph as it stands, neither validated nor required to have outputs: cheap, for reading while building. */
  snapshot(): Graph {
    return {
      name: this.name,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: new Map(this.initializers),
      nodes: [...this.nodes],
      values: new Map(this.values),
    };
  }

  /**
   * Validates the whole graph (see `validateGraph`) and returns it. The result is kept
   * until the builder changes, so calling `build()` again without adding anything
   * returns the same graph without validating twice. Nodes that `extend` took from an
   * already validated graph are not shape-checked again. Treat the graph as immutable.
   */
  build(): Graph {
    if (this.built !== undefined) return this.built;
    if (this.outputs.length === 0) throw new GraphError(`graph '${this.name}' has no outputs`);
    const graph = this.snapshot();
    validateExtension(graph, this.trusted);
    this.built = graph;
    return graph;
  }
}
