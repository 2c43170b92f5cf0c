// The op registry: every op type SpinettAI graphs know, gathered from the op files
// grouped by kind. An entry holds the op's shape rule (used by the builder and the
// validator) and, when it is differentiable, its gradient rule (used by the autodiff
// engine), so adding an op touches one file here. An op type registered twice is an
// error at load time.

import type { GradientRule } from '../autodiff/context.js';
import { GraphError } from '../errors.js';
import type { InferContext, InferredOutput, OpDef, OpTable, RuleContext } from '../shapes.js';
import { constantOps } from './constant.js';
import { elementwiseOps } from './elementwise.js';
import { linalgOps } from './linalg.js';
import { nnOps } from './nn.js';
import { reduceOps } from './reduce.js';
import { shapeOps } from './shape.js';

/** Merges op tables into one registry; throws a GraphError when an op type appears in two. */
export function mergeOpTables(...tables: OpTable[]): Readonly<Record<string, OpDef>> {
  const all: Record<string, OpDef> = {};
  for (const t of tables) {
    for (const [op, def] of Object.entries(t)) {
      if (Object.hasOwn(all, op)) throw new GraphError(`op type '${op}' is registered twice in ops/`);
      all[op] = def;
    }
  }
  return Object.freeze(all);
}

/** Op type → shape rule and gradient rule (default ONNX domain). */
export const OPS: Readonly<Record<string, OpDef>> = mergeOpTables(
  elementwiseOps,
  linalgOps,
  shapeOps,
  reduceOps,
  nnOps,
  constantOps,
);

/** Op type → gradient rule, for the op types that have one. */
export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = Object.freeze(
  Object.fromEntries(
    Object.entries(OPS).flatMap(([op, def]) => (def.grad === undefined ? [] : [[op, def.grad] as const])),
  ),
);

/** The gradient rule of an op type, or undefined when it has none. */
export function gradientRule(opType: string): GradientRule | undefined {
  return Object.hasOwn(GRADIENT_RULES, opType) ? GRADIENT_RULES[opType] : undefined;
}

/** The op types `buildGradientGraph` can differentiate, sorted. */
export function supportedGradientOps(): string[] {
  return Object.keys(GRADIENT_RULES).sort();
}

/** True when the builder can infer outputs of this op type by itself. */
export function hasShapeRule(opType: string): boolean {
  return Object.hasOwn(OPS, opType);
}

/**
 * Infers each output's dtype and shape; throws a GraphError naming the node on
 * inconsistent inputs. Sizes that cannot be known statically get symbolic dims named
 * `<node>_dim<k>`, so the same node always gets the same names.
 */
export function inferOutputs(c: InferContext): InferredOutput[] {
  const def = Object.hasOwn(OPS, c.opType) ? OPS[c.opType] : undefined;
  if (def === undefined) {
    throw new GraphError(`no shape rule for op type '${c.opType}'; pass explicit output infos`, c.nodeName);
  }
  let k = 0;
  const rc: RuleContext = {
    nodeName: c.nodeName,
    opType: c.opType,
    inputs: c.inputs,
    attributes: c.attributes,
    numOutputs: c.numOutputs,
    constant: (i) => c.constant(i),
    freshDim: () => `${c.nodeName}_dim${k++}`,
  };
  return def.shape(rc);
}
