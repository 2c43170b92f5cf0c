// Generation constraints against hand-computed cases: Hugging Face's no-repeat n-gram
// and min-new-tokens rules, refusal handling in pickNext, and the token loop ending
// with 'copy' when every candidate is refused.

import { SeededRandom } from '@spinettai/graph';
import { describe, expect, it } from 'vitest';
import type { KvDecoder } from './decoder.js';
import type { ResolvedSampling } from './options.js';
import { noRepeatNgramBans, pickNext, sampleNext } from './sampling.js';
import { collectTokens } from './tokenLoop.js';

const greedy: ResolvedSampling = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

describe('noRepeatNgramBans (HF NoRepeatNGramLogitsProcessor)', () => {
  it('bans the tokens that followed earlier occurrences of the last n − 1 ids', () => {
    // ids 1 2 3 1 2: the last bigram prefix (n=3) is [1, 2]; it was followed by 3 → ban 3.
    expect(noRepeatNgramBans([1, 2, 3, 1, 2], 3)).toEqual([3]);
    // n = 2, last id 1: 1 was followed by 2 and by 4 → ban both.
    expect(noRepeatNgramBans([1, 2, 1, 4, 1], 2).sort()).toEqual([2, 4]);
    // n = 1: every id seen.
    expect(noRepeatNgramBans([5, 6, 5], 1).sort()).toEqual([5, 6]);
    // HF: no bans while cur_len + 1 < n.
    expect(noRepeatNgramBans([1, 2], 4)).toEqual([]);
    // cur_len + 1 = n: the prefix is the whole sequence and has not occurred before.
    expect(noRepeatNgramBans([1, 2, 3], 4)).toEqual([]);
    expect(noRepeatNgramBans([7, 7, 7], 2)).toEqual([7]);
    expect(noRepeatNgramBans([1, 2, 3, 1, 2], 0)).toEqual([]);
  });
});

describe('pickNext', () => {
  const logits = [0, 5, 4, 3, -1];

  it('without constraints picks what sampleNext picks, drawing the same uniforms', () => {
    const s: ResolvedSampling = { temperature: 0.9, topK: 3, topP: 0.9, repetitionPenalty: 1.3, seed: 0 };
    const a = new SeededRandom(11);
    const b = new SeededRandom(11);
    for (let i = 0; i < 200; i++) expect(pickNext(logits, s, a, [2])).toBe(sampleNext(logits, s, b, [2]));
  });

  it('greedy: a banned or refused token gives the next best; nothing allowed gives undefined', () => {
    expect(pickNext(logits, greedy, new SeededRandom(0), [], { banned: [1] })).toBe(2);
    expect(pickNext(logits, greedy, new SeededRandom(0), [], { allows: (id) => id !== 1 && id !== 2 })).toBe(
      3,
    );
    expect(pickNext(logits, greedy, new SeededRandom(0), [], { allows: () => false })).toBeUndefined();
  });

  it('sampling: refused tokens are never returned, also after the top-k set is exhausted', () => {
    const s: ResolvedSampling = { temperature: 1, topK: 2, topP: 1, repetitionPenalty: 1, seed: 0 };
    const rng = new SeededRandom(3);
    for (let i = 0; i < 100; i++) {
      expect(pickNext(logits, s, rng, [], { allows: (id) => id !== 1 })).toBe(2);
      // top-k = {1, 2}, both refused: the rest from the most likely down → 3.
      expect(pickNext(logits, s, rng, [], { allows: (id) => id > 2 })).toBe(3);
    }
  });
});

/** A decoder whose logits depend only on the step: row k of `rows` (the last repeats). */
function scriptedDecoder(rows: number[][]): KvDecoder {
  let calls = 0;
  const next = async () => Float32Array.from(rows[Math.min(calls++, rows.length - 1)]!);
  return {
    dims: { blockSize: 64, vocabSize: rows[0]!.length, nLayer: 1, nHead: 1, nEmbd: 1 },
    length: 1,
    prefill: next,
    step: next,
    forwardAll: next,
  } as unknown as KvDecoder;
}

describe('decodeTokens constraints', () => {
  const eos = 0;

  it('minNewTokens forbids the stop token until that many tokens (HF MinNewTokensLengthLogitsProcessor)', async () => {
    // EOS is always the best token; the second best is 2.
    const rows = [[9, 1, 5, 0]];
    const loop = { sampling: greedy, maxNewTokens: 10, stopTokenIds: [eos] };
    expect(await collectTokens(scriptedDecoder(rows), [eos], loop)).toEqual({ ids: [], finishReason: 'eos' });
    expect(await collectTokens(scriptedDecoder(rows), [eos], { ...loop, minNewTokens: 3 })).toEqual({
      ids: [2, 2, 2],
      finishReason: 'eos',
    });
  });

  it('noRepeatNgram over prompt + output: greedy 2 2 2 … becomes 2 2 3 with n = 3', async () => {
    // Preference 2 > 3 > 1, prompt [0], n = 3. By hand: 0 2 2 2 (prefix (2,2) not yet followed),
    // then (2,2) was followed by 2 → 3; (2,3) and (3,2) are new → 2, 2; then (2,2) was followed
    // by 2 and 3 → 1.
    const rows = [[-5, 1, 9, 5]];
    const loop = { sampling: greedy, maxNewTokens: 7, stopTokenIds: [], noRepeatNgram: 3 };
    const { ids } = await collectTokens(scriptedDecoder(rows), [eos], loop);
    expect(ids).toEqual([2, 2, 2, 3, 2, 2, 1]);
  });

  it("ends with 'copy' when the check refuses every token", async () => {
    const loop = {
      sampling: greedy,
      maxNewTokens: 10,
      stopTokenIds: [],
      allows: (history: readonly number[]) => history.length < 3,
    };
    expect(await collectTokens(scriptedDecoder([[1, 2, 3]]), [eos], loop)).toEqual({
      ids: [2, 2],
      finishReason: 'copy',
    });
  });
});
