// First pass of BPE training: pre-tokenize every text once and count how often
// each pre-token ("word") occurs. The merge loop then works on unique words
// weighted by these counts, never on the raw text again.

import { TokenizerInputError } from './errors.js';
import { GPT2_SPLIT_PATTERN } from './preTokenize.js';

/** Texts to train on: an array, any iterable, or an async iterable (streams large corpora). */
export type TextSource = Iterable<string> | AsyncIterable<string>;

function addText(counts: Map<string, number>, text: unknown, index: number): void {
  if (typeof text !== 'string') {
    throw new TokenizerInputError(
      `trainBpe: text #${index} is ${text === null ? 'null' : typeof text}, not a string; pass song lyrics as strings.`,
    );
  }
  const pattern = new RegExp(GPT2_SPLIT_PATTERN);
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const word = m[0];
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
}

/** Counts GPT-2 pre-tokens over all texts. Keys are plain (not byte-level) strings. */
export async function countWords(texts: TextSource): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let index = 0;
  if (typeof texts !== 'object' || texts === null) {
    throw new TokenizerInputError(
      'trainBpe: texts must be an array, an iterable or an async iterable of strings.',
    );
  }
  if (Symbol.asyncIterator in texts) {
    for await (const text of texts as AsyncIterable<string>) addText(counts, text, index++);
  } else if (Symbol.iterator in texts) {
    for (const text of texts as Iterable<string>) addText(counts, text, index++);
  } else {
    throw new TokenizerInputError(
      'trainBpe: texts must be an array, an iterable or an async iterable of strings.',
    );
  }
  return counts;
}
