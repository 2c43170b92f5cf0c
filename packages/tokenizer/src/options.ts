// Option objects reject keys they do not know, so a typo (`vocabSzie`) is an
// error naming it instead of a silently ignored setting. Browser-safe.

import { TokenizerError } from './errors.js';

/**
 * Throws a TokenizerError (`.option` = the first unknown key) when `options`
 * has a key outside `known`. `undefined` options pass.
 */
export function rejectUnknownKeys(fn: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null)
    throw new TokenizerError(`${fn}: options must be an object.`, { option: 'options' });
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new TokenizerError(
      `${fn}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${known.join(', ')}.`,
      { option: unknown[0] },
    );
  }
}
