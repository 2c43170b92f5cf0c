// The copied-lyrics guard at token level: the token loop asks, for each candidate id,
// whether appending it keeps the decoded output free of `maxWords` consecutive lyric
// words. Only a tail of the history is decoded (enough tokens for more than `maxWords`
// words even when every token is a single byte), so a check costs the same at token 10
// and token 1,000. Special tokens (<|endoftext|>, <|artist:…|>) decode to nothing.

import type { CopyGuard } from './copyGuard.js';

/** What the guard needs from a tokenizer (`Tokenizer` from @spinettai/tokenizer fits). */
export interface GuardTokenizer {
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
}

const REPLACEMENT = /\uFFFD+$/u; // an incomplete UTF-8 character at the end of a decoded tail

/** The token loop's `allows` for a guard: true when `id` after `history` copies fewer than maxWords words. */
export function guardTokens(
  guard: CopyGuard,
  tokenizer: GuardTokenizer,
): (history: readonly number[], id: number) => boolean {
  const tailTokens = 16 * (guard.maxWords + 2);
  return (history, id) => {
    const tail = history.slice(Math.max(0, history.length - tailTokens));
    const before = tokenizer.decode(tail, { skipSpecialTokens: true }).replace(REPLACEMENT, '');
    const after = tokenizer.decode([...tail, id], { skipSpecialTokens: true }).replace(REPLACEMENT, '');
    if (!after.startsWith(before)) return guard.allows(after);
    const next = after.slice(before.length);
    return next === '' || guard.allowsAppend(before, next);
  };
}
