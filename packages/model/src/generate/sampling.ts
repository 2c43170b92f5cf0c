// Picks the next token from a row of logits: repetition penalty, temperature, top-k,
// top-p, then a draw from the softmax (or argmax when temperature is 0). The order
// matches Hugging Face's logits processors so settings mean the same as there.
// Plain TypeScript on a copy of the row: the vocab is small and this is not the hot path.

import type { SeededRandom } from '@spinettai/graph';
import type { ResolvedSampling } from './options.js';

/** Index of the largest value (first one on ties). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** In place: a seen token's logit is divided by `penalty` when positive, multiplied when negative (CTRL). */
export function applyRepetitionPenalty(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(seen)) {
    const v = logits[id];
    if (v === undefined) continue;
    logits[id] = v > 0 ? v / penalty : v * penalty;
  }
}

/** In place: keeps the `k` largest logits (ties at the boundary kept), sets the rest to -Infinity. 0 = off. */
export function applyTopK(logits: Float32Array, k: number): void {
  if (k <= 0 || k >= logits.length) return;
  const threshold = Float32Array.from(logits).sort().reverse()[k - 1]!;
  for (let i = 0; i < logits.length; i++) if (logits[i]! < threshold) logits[i] = Number.NEGATIVE_INFINITY;
}

/** Softmax of a row (max-subtracted); -Infinity gives probability 0. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - max);
    p[i] = e;
    sum += e;
  }
  for (let i = 0; i < p.length; i++) p[i]! /= sum;
  return p;
}

/**
 * In place on probabilities: keeps the smallest set of most likely tokens whose mass is
 * at least `topP` (at least one token), zeroes the rest and renormalises. 1 = off.
 */
export function applyTopP(probs: Float64Array, topP: number): void {
  if (topP >= 1) return;
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]! || a - b);
  let mass = 0;
  let kept = 0;
  for (const id of order) {
    if (mass >= topP && kept > 0) probs[id] = 0;
    else {
      mass += probs[id]!;
      kept++;
    }
  }
  for (let i = 0; i < probs.length; i++) probs[i]! /= mass;
}

/** Draws an index from a probability vector with one uniform number u in [0, 1). */
export function drawIndex(probs: ArrayLike<number>, u: number): number {
  let acc = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p <= 0) continue;
    acc += p;
    last = i;
    if (u < acc) return i;
  }
  return last;
}

/** What `pickNext` may not return: hard bans, and a check of each candidate. */
export interface NextTokenConstraints {
  /** Ids that are never picked (no-repeat n-grams, EOS before min tokens): logit −∞ before anything else. */
  banned?: Iterable<number> | undefined;
  /** A candidate is refused when this returns false (the copied-lyrics guard). */
  allows?: ((id: number) => boolean) | undefined;
}

/**
 * The next token id under constraints, or undefined when no token is allowed. Banned ids
 * get −∞ first (Hugging Face order: logits processors, then warpers). A refused candidate
 * is removed and the choice is made again: greedy takes the next best; sampling draws
 * again from the rest of the top-k / top-p set, then falls back to the remaining tokens
 * in order of likelihood. Without refusals it draws exactly one uniform, like sampleNext.
 */
export function pickNext(
  logits: ArrayLike<number>,
  s: ResolvedSampling,
  rng: SeededRandom,
  context: Iterable<number> = [],
  c: NextTokenConstraints = {},
): number | undefined {
  const row = Float32Array.from(logits);
  for (const id of c.banned ?? []) if (id >= 0 && id < row.length) row[id] = Number.NEGATIVE_INFINITY;
  applyRepetitionPenalty(row, context, s.repetitionPenalty);
  const allows = c.allows ?? (() => true);
  const refused = new Set<number>();
  if (s.temperature !== 0) {
    for (let i = 0; i < row.length; i++) row[i]! /= s.temperature;
    const warped = Float32Array.from(row);
    applyTopK(warped, s.topK);
    const probs = softmax(warped);
    applyTopP(probs, s.topP);
    for (let first = true; ; first = false) {
      if (!first) {
        let mass = 0;
        for (let i = 0; i < probs.length; i++) mass += probs[i]!;
        if (!(mass > 0)) break;
        for (let i = 0; i < probs.length; i++) probs[i]! /= mass;
      }
      const id = drawIndex(probs, rng.uniform());
      if (!(probs[id]! > 0)) break;
      if (allows(id)) return id;
      refused.add(id);
      probs[id] = 0;
    }
  }
  // Greedy, or the sampled set is exhausted: the remaining tokens from the most likely down.
  const best = argmax(row);
  if (row[best]! > Number.NEGATIVE_INFINITY && !refused.has(best) && allows(best)) return best;
  refused.add(best);
  const order = Array.from(row.keys())
    .filter((i) => row[i]! > Number.NEGATIVE_INFINITY && !refused.has(i))
    .sort((a, b) => row[b]! - row[a]! || a - b);
  for (const id of order) if (allows(id)) return id;
  return undefined;
}

/**
 * The next token id. `context` holds the ids the repetition penalty looks at (prompt
 * and generated so far). The logits row is not modified.
 */
export function sampleNext(
  logits: ArrayLike<number>,
  s: ResolvedSampling,
  rng: SeededRandom,
  context: Iterable<number> = [],
): number {
  const row = Float32Array.from(logits);
  applyRepetitionPenalty(row, context, s.repetitionPenalty);
  if (s.temperature === 0) return argmax(row);
  for (let i = 0; i < row.length; i++) row[i]! /= s.temperature;
  applyTopK(row, s.topK);
  const probs = softmax(row);
  applyTopP(probs, s.topP);
  return drawIndex(probs, rng.uniform());
}

/**
 * Ids that would complete an n-gram already in `ids` (Hugging Face's
 * NoRepeatNGramLogitsProcessor): the tokens that followed earlier occurrences of the last
 * n − 1 ids (for n = 1, every id seen). As in HF, none while `ids.length + 1 < n`; 0 = off.
 */
export function noRepeatNgramBans(ids: readonly number[], n: number): number[] {
  if (n <= 0 || ids.length + 1 < n) return [];
  const prefix = ids.slice(ids.length - (n - 1));
  const banned = new Set<number>();
  for (let i = 0; i + n <= ids.length; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = ids[i + j] === prefix[j];
    if (same) banned.add(ids[i + n - 1]!);
  }
  return [...banned];
}
