// Library option objects reject keys they do not know, so a typo (`minWrods`) is an
// error naming the key instead of a default silently used in its place.
import { ScraperOptionsError } from './errors.js';

/** Throw ScraperOptionsError when `options` has a key outside `known`. */
export function rejectUnknownKeys(options: object, known: readonly string[], where: string): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new ScraperOptionsError(
      `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}. ` +
        `Known options: ${known.join(', ')}.`,
    );
  }
}
