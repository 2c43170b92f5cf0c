// Reverse-mode automatic differentiation over a SpinettAI ONNX graph. Given a forward
// graph, a scalar loss and the values to differentiate (`wrt`), it appends backward
// nodes made of standard ONNX ops and returns the combined graph, so forward, loss and
// backward run in one onnxruntime session.
//
// The engine owns everything that is not an op's local math: it keeps only the nodes
// on a path from a wrt value to the loss, seeds dLoss = 1, walks those nodes in
// reverse calling one rule per op type (ops/index.ts), sums gradients where a value
// feeds several nodes (one Sum node) and reduces broadcast axes back to each input's
// shape (one ReduceSum). Reference: Griewank & Walther, "Evaluating Derivatives";
// ONNX Runtime's gradient graph builder.

import { GraphBuilder, type Value } from '../builder.js';
import type { Graph, Node, ValueInfo } from '../ir.js';
import { gradientRule, inferOutputs } from '../ops/index.js';
import { type EngineServices, GradContext, isStatic, sameShape } from './context.js';
import { GradientError, MissingGradientRuleError } from './errors.js';

/** Options of `buildGradientGraph`. */
export interface GradientOptions {
  /** Name of the scalar loss value (a float value of the forward graph). */
  loss: string;
  /** Values to differentiate the loss with respect to (usually the parameter inputs). */
  wrt: readonly string[];
  /** Add the gradients as graph outputs named `grad.<name>` (default true). With false they stay internal values, e.g. for an in-graph optimizer. */
  outputGradients?: boolean | undefined;
}

const OPTION_KEYS: ReadonlySet<string> = new Set<keyof GradientOptions>(['loss', 'wrt', 'outputGradients']);

/** The forward + backward graph and where each gradient lives. */
export interface GradientGraph {
  /** Forward outputs (loss, …) followed by the gradient outputs. */
  readonly graph: Graph;
  /** wrt value name → name of its gradient value (same dtype and shape). */
  readonly grads: Map<string, string>;
}

const isFloat = (v: ValueInfo) => v.dtype === 'float32' || v.dtype === 'float64' || v.dtype === 'float16';

/**
 * Builds the gradient of `loss` with respect to each `wrt` value. A wrt value the loss
 * does not depend on gets a zero gradient. Throws `MissingGradientRuleError` naming the
 * node when an op on the path has no rule, `GradientError` for bad names, attributes or
 * unknown options.
 *
 * @example
 * const { graph, grads } = buildGradientGraph(forward, { loss: 'loss', wrt: ['w'] });
 * // graph: forward outputs, then `grad.w` (same dtype and shape as `w`)
 * const out = await session.run(feeds); // session made from serializeModel(graph)
 * out[grads.get('w')!]; // dLoss/dw
 */
export function buildGradientGraph(forward: Graph, options: GradientOptions): GradientGraph {
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.has(key))
      throw new GradientError(
        `unknown option '${key}' of buildGradientGraph; known options: ${[...OPTION_KEYS].join(', ')}`,
      );
  const { loss, wrt } = options;
  for (const [what, name] of [['loss', loss], ...wrt.map((w) => ['wrt value', w])]) {
    const info = forward.values.get(name!);
    if (info === undefined || !isFloat(info))
      throw new GradientError(`${what} '${name}' is not a float value of graph '${forward.name}'`);
  }
  const { onPath, relevant } = nodesOnPath(forward, loss, wrt);

  const b = GraphBuilder.extend(withSavedOutputs(forward, relevant), { keepOutputs: true });
  const engine = new Engine(b, onPath);
  engine.addGrad(loss, seedOnes(b, b.value(loss)));

  // Reverse topological order: every consumer of a value has added its contribution
  // before the value's producer reads the sum.
  const nodes = b.nodeList;
  for (const k of [...relevant].sort((x, y) => y - x)) {
    const node = nodes[k]!;
    if (!node.outputs.some((o) => engine.gradOf(o) !== undefined)) continue;
    gradientRule(node.opType)!.backward(new GradContext(node, engine));
  }

  const grads = new Map<string, string>();
  for (const w of wrt) {
    const g = engine.gradOf(w) ?? new GradContext(zeroGradNode(w), engine).zerosLike(b.value(w));
    grads.set(w, (options.outputGradients ?? true) ? b.output(g, `grad.${w}`).name : g.name);
  }
  return { graph: b.build(), grads };
}

/**
 * The forward nodes the backward must visit: those with an output that both depends
 * on a wrt value (through float inputs) and leads to the loss. Every one needs a rule.
 */
function nodesOnPath(forward: Graph, loss: string, wrt: readonly string[]) {
  const dependsOnWrt = new Set<string>(wrt);
  for (const n of forward.nodes) {
    if (!n.inputs.some((i) => dependsOnWrt.has(i))) continue;
    for (const o of n.outputs) if (isFloat(forward.values.get(o)!)) dependsOnWrt.add(o);
  }
  const leadsToLoss = new Set<string>([loss]);
  for (let k = forward.nodes.length - 1; k >= 0; k--) {
    const n = forward.nodes[k]!;
    if (n.outputs.some((o) => leadsToLoss.has(o))) for (const i of n.inputs) if (i !== '') leadsToLoss.add(i);
  }
  const onPath = (name: string) => dependsOnWrt.has(name) && leadsToLoss.has(name);
  const relevant = new Set<number>();
  forward.nodes.forEach((n, k) => {
    if (!n.outputs.some(onPath)) return;
    if (gradientRule(n.opType) === undefined || n.domain !== '')
      throw new MissingGradientRuleError(n.name, n.opType);
    relevant.add(k);
  });
  return { onPath, relevant };
}

/** Ones with the loss's dtype and static shape: the seed dLoss/dLoss. */
function seedOnes(b: GraphBuilder, info: Value): Value {
  if (!isStatic(info.shape))
    throw new GradientError(`loss '${info.name}' must have a static shape, got [${info.shape.join(', ')}]`);
  if (info.shape.length === 0 && (info.dtype === 'float32' || info.dtype === 'float64'))
    return b.scalar(1, info.dtype);
  const n = (info.shape as number[]).reduce((p, q) => p * q, 1);
  const data = info.dtype === 'float64' ? new Float64Array(n).fill(1) : new Float32Array(n).fill(1);
  return b.constant({ dtype: info.dtype, dims: info.shape as number[], data }, 'grad_seed');
}

/** A stand-in node naming the zero gradient of a wrt value the loss does not reach. */
function zeroGradNode(name: string): Node {
  return {
    name: `${name}/zero_grad`,
    opType: 'ConstantOfShape',
    domain: '',
    inputs: [],
    outputs: [],
    attributes: {},
  };
}

/**
 * The forward graph with extra outputs on nodes whose rule reuses saved results (the
 * Dropout mask, LayerNormalization's mean and inverse std, the loss's log-probabilities).
 */
function withSavedOutputs(forward: Graph, relevant: ReadonlySet<number>): Graph {
  const constants = new Map(forward.initializers);
  for (const n of forward.nodes) {
    const v = n.attributes['value'];
    if (n.opType === 'Constant' && v?.kind === 'tensor') constants.set(n.outputs[0]!, v.value);
  }
  const values = new Map(forward.values);
  let changed = false;
  const nodes = forward.nodes.map((n, k) => {
    const want = relevant.has(k) ? (gradientRule(n.opType)!.savedOutputs?.(n, forward) ?? 0) : 0;
    if (want <= n.outputs.length) return n;
    const infos = inferOutputs({
      nodeName: n.name,
      opType: n.opType,
      inputs: n.inputs.map((i) => (i === '' ? undefined : forward.values.get(i))),
      attributes: n.attributes,
      constant: (i) => constants.get(n.inputs[i] ?? ''),
      numOutputs: want,
    });
    const outputs = [...n.outputs];
    for (let i = outputs.length; i < want; i++) {
      let name = `${n.name}_saved${i}`;
      while (values.has(name)) name += '_';
      outputs.push(name);
      values.set(name, { name, dtype: infos[i]!.dtype, shape: infos[i]!.shape });
    }
    changed = true;
    return { ...n, outputs };
  });
  return changed ? { ...forward, nodes, values } : forward;
}

/** Gradient bookkeeping: contributions per value, their sums, broadcast reduction, constant cache. */
class Engine implements EngineServices {
  private readonly contributions = new Map<string, Value[]>();
  private readonly producers = new Map<string, Node>();
  private readonly constants = new Map<string, Value>();

  constructor(
    readonly builder: GraphBuilder,
    private readonly onPath: (name: string) => boolean,
  ) {
    for (const n of builder.nodeList) for (const o of n.outputs) this.producers.set(o, n);
  }

  gradOf(name: string): Value | undefined {
    const list = this.contributions.get(name);
    if (list === undefined || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    // One variadic Sum instead of a chain of Adds; cached so later readers reuse it.
    const sum = this.builder.op1('Sum', list, {}, { name: this.builder.uniqueName(`${name}/grad/Sum`) });
    this.contributions.set(name, [sum]);
    return sum;
  }

  addGrad(name: string, grad: Value): void {
    const list = this.contributions.get(name);
    if (list === undefined) this.contributions.set(name, [grad]);
    else list.push(grad);
  }

  needsGrad(name: string): boolean {
    return this.onPath(name);
  }

  producer(name: string): Node | undefined {
    return this.producers.get(name);
  }

  constant(key: string, make: () => Value): Value {
    let v = this.constants.get(key);
    if (v === undefined) {
      v = make();
      this.constants.set(key, v);
    }
    return v;
  }

  // dX = ReduceSum(dY, axes where X was broadcast), reshaped to X's shape.
  unbroadcast(grad: Value, to: Value, node: Node): Value {
    if (grad.dtype !== to.dtype) {
      throw new GradientError(
        `gradient of '${to.name}' is ${grad.dtype}, the value is ${to.dtype}`,
        node.name,
        node.opType,
      );
    }
    if (sameShape(grad.shape, to.shape)) return grad;
    const lead = grad.shape.length - to.shape.length;
    if (lead < 0) {
      throw new GradientError(
        `gradient of '${to.name}' has rank ${grad.shape.length} < ${to.shape.length}`,
        node.name,
        node.opType,
      );
    }
    const axes: number[] = [];
    for (let i = 0; i < grad.shape.length; i++) {
      if (i < lead || (to.shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
    }
    const ctx = new GradContext(node, this);
    let g = grad;
    if (axes.length > 0) {
      // Only leading axes: drop them in the same ReduceSum; otherwise keep dims and reshape.
      const onlyLeading = axes.length === lead;
      g = ctx.op('ReduceSum', [g, ctx.ints(axes)], { keepdims: onlyLeading ? 0 : 1 });
    }
    return ctx.reshapeLike(g, to);
  }
}
