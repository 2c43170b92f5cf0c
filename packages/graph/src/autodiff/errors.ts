// Errors raised while building a gradient graph. Each names the forward node (and
// its op type) whose backward could not be built, so the model code that added the
// node can be found.

import { GraphError } from '../errors.js';

/** The gradient graph could not be built: bad loss/wrt names, unsupported attributes, rank-1 MatMul… */
export class GradientError extends GraphError {
  override readonly name: string = 'GradientError';
}

/** A node on the path from a `wrt` value to the loss has an op type without a gradient rule. */
export class MissingGradientRuleError extends GradientError {
  override readonly name = 'MissingGradientRuleError';
  constructor(nodeName: string, opType: string) {
    super(
      `no gradient rule for op type '${opType}'. Add a 'grad' rule beside its shape rule in its entry ` +
        "in @spinettai/graph's packages/graph/src/ops/*.ts, " +
        'or keep this node off the path from the differentiated values to the loss.',
      nodeName,
      opType,
    );
  }
}
