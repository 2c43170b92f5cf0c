// The copied-lyrics guard. A small model trained on one artist memorises, and greedy
// decoding then recites whole songs — copyrighted text the user never asked for. The
// guard refuses any next token that would make the output contain `maxWords` or more
// consecutive words of the training lyrics (compared by `words()`: case and punctuation
// ignored). The generator then takes the next-best allowed token; when none is left the
// song ends.

import { InvalidOptionError } from '../generate/errors.js';
import { SuffixAutomaton } from './suffixAutomaton.js';
import { words } from './words.js';

/** The guard's window where it is on by default (`spinettai serve` and its page): 8 words, the copy metric's n-gram. */
export const DEFAULT_MAX_COPY_WORDS = 8;

/** An index of the training lyrics, built once and shared by guards and metrics. */
export class LyricsIndex {
  private readonly automaton = new SuffixAutomaton();

  /** Indexes each text (one song each) as its own run of words. */
  static fromTexts(texts: Iterable<string>): LyricsIndex {
    const index = new LyricsIndex();
    for (const t of texts) index.add(t);
    return index;
  }

  /** Adds one song. */
  add(text: string): void {
    this.automaton.addText(words(text));
  }

  /** Number of words indexed. */
  get wordCount(): number {
    return this.automaton.wordCount;
  }

  /** For each word of `textWords`, the longest run ending there that occurs in the lyrics. */
  matchLengths(textWords: readonly string[]): Uint32Array {
    return this.automaton.matchLengths(textWords);
  }
}

/** What a guard asks of an index: LyricsIndex (exact) or HashedLyricsIndex (hashed windows). */
export interface WordRunIndex {
  /** For each word, the length of the run of lyric words ending there (0: none). */
  matchLengths(textWords: readonly string[]): Uint32Array;
  /** Words per window, for an index that only knows windows of one length. */
  readonly n?: number;
}

/** Refuses continuations that copy `maxWords` or more consecutive words of the lyrics. */
export class CopyGuard {
  constructor(
    readonly index: WordRunIndex,
    /** The shortest run of copied words that is refused (≥ 2). */
    readonly maxWords: number,
  ) {
    if (!Number.isInteger(maxWords) || maxWords < 2) {
      throw new InvalidOptionError('maxCopyWords', `must be an integer ≥ 2, got ${maxWords}`);
    }
    if (index.n !== undefined && maxWords < index.n)
      throw new InvalidOptionError(
        'maxCopyWords',
        `is ${maxWords}, but this hashed index knows only windows of ${index.n} words; use ${index.n} or more`,
      );
  }

  /**
   * True when `text` holds no run of `maxWords` consecutive lyric words. The last word counts
   * as it stands, even if later characters could extend it: a run that a longer word would
   * break is refused now and the sampler picks another token.
   */
  allows(text: string): boolean {
    const lengths = this.index.matchLengths(words(text));
    for (const n of lengths) if (n >= this.maxWords) return false;
    return true;
  }

  /**
   * Whether appending `next` to `before` (which the guard already allowed) stays allowed.
   * Only the runs ending at words that `next` touches are checked, from the last `maxWords`
   * words of `before` on, so the cost does not grow with the output's length.
   */
  allowsAppend(before: string, next: string): boolean {
    const tail = words(before).slice(-this.maxWords);
    const added = words(`${tail.join(' ')}${/[\p{L}\p{M}\p{N}]$/u.test(before) ? '' : ' '}${next}`);
    const lengths = this.index.matchLengths(added);
    for (const n of lengths) if (n >= this.maxWords) return false;
    return true;
  }
}
