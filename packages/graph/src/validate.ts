// Whole-graph validation, run by `GraphBuilder.build` and again by `serializeModel`
// so a graph edited after building (autodiff, reseeding, hand-made nodes) is
// checked before onnxruntime sees it. Every error names the node or value.
// Checks: unique value and node names; every value produced exactly once, before
// use; initializer data matching dtype and dims; every node's outputs consistent
// (dtype, rank, static sizes) with what its shape rule infers; graph outputs known.

import { GraphError } from './errors.js';
import type { DType, Graph, Shape, TensorArray, TensorData } from './ir.js';
import { hasShapeRule, inferOutputs } from './ops/index.js';

const ARRAY_OF: Record<DType, new (n: number) => TensorArray> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

const fmt = (s: Shape): string => `[${s.join(', ')}]`;

function checkInitializer(name: string, t: TensorData): void {
  if (!t.dims.every((d) => Number.isInteger(d) && d >= 0))
    throw new GraphError(`initializer '${name}' has invalid dims ${fmt(t.dims)}`);
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected)
    throw new GraphError(
      `initializer '${name}' has ${t.data.length} elements, dims ${fmt(t.dims)} say ${expected}`,
    );
  if (!(t.data instanceof ARRAY_OF[t.dtype]))
    throw new GraphError(`initializer '${name}' is ${t.dtype} but holds a ${t.data.constructor.name}`);
}

/** Static sizes must agree; symbolic dims match anything (they are names, not sizes). */
function compatible(declared: Shape, inferred: Shape): boolean {
  if (declared.length !== inferred.length) return false;
  return declared.every((d, i) => {
    const e = inferred[i]!;
    return typeof d !== 'number' || typeof e !== 'number' || d === e;
  });
}

/** Graphs that passed `validateGraph`; graphs are immutable, so they need no second check. */
const validated = new WeakSet<Graph>();

/** True when this graph object already passed `validateGraph` (e.g. it came from `GraphBuilder.build`). */
export function isValidated(graph: Graph): boolean {
  return validated.has(graph);
}

/**
 * Checks that every value is produced exactly once, every node input is known before
 * the node runs, node names are unique, initializers are well formed, every node's
 * outputs agree with its op's shape rule, and every graph output exists with a
 * consistent rank. Throws a GraphError naming the node or value.
 */
export function validateGraph(graph: Graph): void {
  validateExtension(graph, { nodes: 0, initializers: 0 });
}

/**
 * `validateGraph` for a graph whose first `trusted.nodes` nodes and `trusted.initializers`
 * initializers come unchanged from a graph that already passed (GraphBuilder.extend):
 * their shape rules and data are not checked again; names and order still are.
 */
export function validateExtension(graph: Graph, trusted: { nodes: number; initializers: number }): void {
  const known = new Set<string>();
  const constants = new Map<string, TensorData>();
  const produce = (name: string, by: string) => {
    if (name === '') throw new GraphError('produces a value with an empty name', by);
    if (known.has(name)) throw new GraphError(`value '${name}' is produced twice`, by);
    if (!graph.values.has(name)) throw new GraphError(`value '${name}' has no dtype/shape info`, by);
    known.add(name);
  };
  for (const v of graph.inputs) produce(v.name, `input ${v.name}`);
  let initIndex = 0;
  for (const [name, t] of graph.initializers) {
    produce(name, `initializer ${name}`);
    constants.set(name, t);
    if (initIndex++ < trusted.initializers) continue;
    checkInitializer(name, t);
    const info = graph.values.get(name)!;
    if (info.dtype !== t.dtype || !compatible(info.shape, t.dims))
      throw new GraphError(
        `initializer '${name}' is ${t.dtype} ${fmt(t.dims)} but its value info says ${info.dtype} ${fmt(info.shape)}`,
      );
  }
  const nodeNames = new Set<string>();
  for (const [k, n] of graph.nodes.entries()) {
    if (n.name === '') throw new GraphError(`a ${n.opType} node has no name`);
    if (nodeNames.has(n.name)) throw new GraphError('node name is used twice', n.name);
    nodeNames.add(n.name);
    for (const i of n.inputs)
      if (i !== '' && !known.has(i))
        throw new GraphError(`${n.opType}: input '${i}' is not produced before this node`, n.name);
    for (const o of n.outputs) produce(o, n.name);
    if (k >= trusted.nodes && n.domain === '' && hasShapeRule(n.opType)) checkNode(graph, n, constants);
    if (n.opType === 'Constant' && n.attributes['value']?.kind === 'tensor')
      constants.set(n.outputs[0]!, n.attributes['value'].value);
  }
  const outNames = new Set<string>();
  for (const o of graph.outputs) {
    if (!known.has(o.name)) throw new GraphError(`graph output '${o.name}' is never produced`);
    if (outNames.has(o.name)) throw new GraphError(`graph output '${o.name}' is declared twice`);
    outNames.add(o.name);
    const info = graph.values.get(o.name)!;
    if (info.shape.length !== o.shape.length)
      throw new GraphError(
        `graph output '${o.name}' rank ${o.shape.length} differs from its value's ${info.shape.length}`,
      );
  }
  validated.add(graph);
}

/** Re-runs the node's shape rule and compares with the recorded output infos. */
function checkNode(
  graph: Graph,
  n: Graph['nodes'][number],
  constants: ReadonlyMap<string, TensorData>,
): void {
  let inferred: ReturnType<typeof inferOutputs>;
  try {
    inferred = inferOutputs({
      nodeName: n.name,
      opType: n.opType,
      inputs: n.inputs.map((i) => (i === '' ? undefined : graph.values.get(i))),
      attributes: n.attributes,
      constant: (i) => {
        const name = n.inputs[i];
        return name === undefined || name === '' ? undefined : constants.get(name);
      },
      numOutputs: n.outputs.length,
    });
  } catch (e) {
    // A rule that cannot decide (e.g. Slice by a computed end) was given explicit output infos.
    if (
      e instanceof GraphError &&
      /must be (a )?constants?|needs explicit sizes|static length/.test(e.message)
    )
      return;
    throw e;
  }
  n.outputs.forEach((o, k) => {
    const want = inferred[k];
    if (o === '' || want === undefined) return;
    const info = graph.values.get(o)!;
    if (info.dtype !== want.dtype)
      throw new GraphError(
        `${n.opType}: output '${o}' is recorded as ${info.dtype}, the op yields ${want.dtype}`,
        n.name,
      );
    if (!compatible(info.shape, want.shape))
      throw new GraphError(
        `${n.opType}: output '${o}' is recorded as ${fmt(info.shape)}, the op yields ${fmt(want.shape)}`,
        n.name,
      );
  });
}
