// How much of a set of generated samples is copied from the training lyrics: the
// numbers `spinettai eval` reports under `copy`.

import type { LyricsIndex } from './copyGuard.js';
import { words } from './words.js';

/** Copy metrics of generated samples against the training lyrics. */
export interface CopyStats {
  /** The longest run of consecutive words found in the lyrics, over all samples. */
  longest_copied_words: number;
  /** Share of the samples' `ngram`-word sequences (default 8) that occur in the lyrics; 0 when none is that long. */
  copied_ngram_fraction: number;
  /** Sample lines of at least `minLineWords` words (default 4) that equal a whole line of the lyrics. */
  copied_lines: number;
}

/** Options of `copyStats`. */
export interface CopyStatsOptions {
  ngram?: number | undefined;
  minLineWords?: number | undefined;
  /** The lyrics' own lines, for `copied_lines` (as raw text; compared by words). */
  lyrics?: Iterable<string> | undefined;
}

/** Measures how much of `samples` is copied from the indexed lyrics. */
export function copyStats(
  samples: readonly string[],
  index: LyricsIndex,
  opts: CopyStatsOptions = {},
): CopyStats {
  const ngram = opts.ngram ?? 8;
  const minLineWords = opts.minLineWords ?? 4;
  let longest = 0;
  let grams = 0;
  let copied = 0;
  for (const s of samples) {
    const lengths = index.matchLengths(words(s));
    lengths.forEach((n, i) => {
      longest = Math.max(longest, n);
      if (i + 1 >= ngram) {
        grams++;
        if (n >= ngram) copied++;
      }
    });
  }
  let copiedLines = 0;
  if (opts.lyrics !== undefined) {
    const lines = new Set<string>();
    for (const text of opts.lyrics)
      for (const line of text.split('\n')) {
        const w = words(line);
        if (w.length >= minLineWords) lines.add(w.join(' '));
      }
    for (const s of samples)
      for (const line of s.split('\n')) {
        const w = words(line);
        if (w.length >= minLineWords && lines.has(w.join(' '))) copiedLines++;
      }
  }
  return {
    longest_copied_words: longest,
    copied_ngram_fraction: grams === 0 ? 0 : copied / grams,
    copied_lines: copiedLines,
  };
}
