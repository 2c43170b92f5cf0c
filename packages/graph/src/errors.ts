// The errors of @spinettai/graph. Every one is a GraphError, so `instanceof GraphError`
// catches all of them; each names the node (and op type) at fault, when there is one, so a
// bad graph can be traced back to the code that built it.

/** A graph is malformed (unknown input, duplicate value, inconsistent ranks, missing shape rule), or a graph utility was misused. */
export class GraphError extends Error {
  override readonly name: string = 'GraphError';
  constructor(
    message: string,
    /** The node at fault, when there is one. */
    readonly nodeName?: string,
    /** Its op type, when known. */
    readonly opType?: string,
  ) {
    super(
      nodeName === undefined
        ? message
        : `${opType === undefined ? 'node' : `${opType} node`} '${nodeName}': ${message}`,
    );
  }
}

/** Throws a GraphError naming the first key of `options` that is not in `known`, so a misspelt option is never silently ignored. */
export function rejectUnknownKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options))
    if (!known.includes(key))
      throw new GraphError(`unknown option '${key}' of ${what}; known options: ${known.join(', ')}`);
}
