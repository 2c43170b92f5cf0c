// The gradient rule registry: one entry per ONNX op type, gathered from the rule
// files grouped by kind. The engine looks every node up here; an op type missing
// from this table is a MissingGradientRuleError naming the node.

import type { GradientRule } from '../context.js';
import { GradientError } from '../errors.js';
import { elementwiseRules } from './elementwise.js';
import { linalgRules } from './linalg.js';
import { nnRules } from './nn.js';
import { shapeRules } from './shape.js';

function merge(...tables: Record<string, GradientRule>[]): Readonly<Record<string, GradientRule>> {
  const all: Record<string, GradientRule> = {};
  for (const t of tables) {
    for (const [op, rule] of Object.entries(t)) {
      if (op in all) throw new GradientError(`gradient rule for '${op}' is registered twice`);
      all[op] = rule;
    }
  }
  return Object.freeze(all);
}

/** Op type → gradient rule (default ONNX domain). */
export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = merge(
  elementwiseRules,
  linalgRules,
  shapeRules,
  nnRules,
);

/** The op types `buildGradientGraph` can differentiate, sorted. */
export function supportedGradientOps(): string[] {
  return Object.keys(GRADIENT_RULES).sort();
}
