// First pass of BPE training: pre-tokenize every text once and count how often
// each pre-token ("word") occurs. The merge loop then works on unique words
// weighted by these counts, never on the raw text again.

import { TokenizerInputError } from './errors.js';
import { GPT2_SPLIT_PATTERN } from './preTokenize.js';
import { type ProgressCallback, throttledProgress } from './progress.js';

/**
 * Longest pre-token counted as one word, in code points; longer ones are cut
 * into pieces. Words of lyrics stay far below it; it keeps a 5 MB line with no
 * spaces from costing O(line length) per merge (each merge rewrites whole words,
 * so the cost is bounded by occurrences × MAX_WORD_CHARS). A learned token is
 * therefore never longer than this.
 */
export const MAX_WORD_CHARS = 64;

function addWord(counts: Map<string, number>, word: string): void {
  counts.set(word, (counts.get(word) ?? 0) + 1);
}

/** Counts a long pre-token as pieces of MAX_WORD_CHARS code points. */
function addLongWord(counts: Map<string, number>, word: string): void {
  let start = 0;
  let chars = 0;
  for (let i = 0; i < word.length; ) {
    const unit = word.charCodeAt(i);
    i += unit >= 0xd800 && unit <= 0xdbff && i + 1 < word.length ? 2 : 1;
    if (++chars === MAX_WORD_CHARS) {
      addWord(counts, word.slice(start, i));
      start = i;
      chars = 0;
    }
  }
  if (start < word.length) addWord(counts, word.slice(start));
}

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
    if (word.length <= MAX_WORD_CHARS) addWord(counts, word);
    else addLongWord(counts, word);
  }
}

/** Counts GPT-2 pre-tokens over all texts. Keys are plain (not byte-level) strings. */
export async function countWords(
  texts: TextSource,
  onProgress?: ProgressCallback,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let index = 0;
  const total = Array.isArray(texts) ? texts.length : Number.NaN;
  const progress = throttledProgress('count', total, onProgress);
  if (typeof texts !== 'object' || texts === null) {
    throw new TokenizerInputError(
      'trainBpe: texts must be an array, an iterable or an async iterable of strings.',
    );
  }
  if (Symbol.asyncIterator in texts) {
    for await (const text of texts as AsyncIterable<string>) {
      addText(counts, text, index++);
      progress(index);
    }
  } else if (Symbol.iterator in texts) {
    for (const text of texts as Iterable<string>) {
      addText(counts, text, index++);
      progress(index);
    }
  } else {
    throw new TokenizerInputError(
      'trainBpe: texts must be an array, an iterable or an async iterable of strings.',
    );
  }
  return counts;
}
