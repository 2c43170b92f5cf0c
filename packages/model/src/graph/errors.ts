// Errors raised while building, validating or serializing a graph. Each names the
// node (and op type) so a bad graph can be traced back to the code that built it.

/** A graph is malformed: unknown input, duplicate value, inconsistent ranks, missing shape rule. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    message: string,
    /** The node at fault, when there is one. */
    readonly nodeName?: string,
  ) {
    super(nodeName === undefined ? message : `node '${nodeName}': ${message}`);
  }
}
