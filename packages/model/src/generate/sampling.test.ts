import { SeededRandom } from '@spinettai/graph';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { DEFAULT_SAMPLING, resolveMaxNewTokens, resolveSampling, resolveStop } from './options.js';
import {
  applyRepetitionPenalty,
  applyTopK,
  applyTopP,
  argmax,
  drawIndex,
  sampleNext,
  softmax,
} from './sampling.js';

const greedy = resolveSampling({ temperature: 0, seed: 1 });

describe('sampling pieces', () => {
  it('argmax picks the first maximum', () => {
    expect(argmax([0.1, 3, -2, 3])).toBe(1);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens only', () => {
    const row = Float32Array.from([2, -2, 2, -2]);
    applyRepetitionPenalty(row, [0, 1, 1], 2);
    expect(Array.from(row)).toEqual([1, -4, 2, -2]);
  });

  it('top-k keeps the k largest', () => {
    const row = Float32Array.from([1, 5, 3, 4, 2]);
    applyTopK(row, 2);
    expect(Array.from(row)).toEqual([-Infinity, 5, -Infinity, 4, -Infinity]);
  });

  it('top-p keeps the smallest nucleus reaching p and renormalises', () => {
    const p = Float64Array.from([0.1, 0.5, 0.15, 0.25]);
    applyTopP(p, 0.7); // 0.5 + 0.25 = 0.75 >= 0.7
    expect(p[0]).toBe(0);
    expect(p[2]).toBe(0);
    expect(p[1]).toBeCloseTo(0.5 / 0.75, 12);
    expect(p[3]).toBeCloseTo(0.25 / 0.75, 12);
  });

  it('top-p always keeps the most likely token', () => {
    const p = Float64Array.from([0.2, 0.8]);
    applyTopP(p, 0.01);
    expect(Array.from(p)).toEqual([0, 1]);
  });

  it('softmax matches exp/sum and handles -Infinity', () => {
    const p = softmax([0, Math.log(3), Number.NEGATIVE_INFINITY]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    expect(p[2]).toBe(0);
  });

  it('drawIndex follows the cumulative distribution and skips zeros', () => {
    const p = [0, 0.25, 0, 0.75];
    expect(drawIndex(p, 0)).toBe(1);
    expect(drawIndex(p, 0.2499)).toBe(1);
    expect(drawIndex(p, 0.25)).toBe(3);
    expect(drawIndex(p, 0.999999)).toBe(3);
  });
});

describe('sampleNext', () => {
  const logits = Float32Array.from([0.5, 2, 1.5, -1, 0]);

  it('temperature 0 is argmax and leaves the logits untouched', () => {
    const copy = Float32Array.from(logits);
    expect(sampleNext(logits, greedy, new SeededRandom(0))).toBe(1);
    expect(logits).toEqual(copy);
  });

  it('repetition penalty can change the greedy choice', () => {
    const s = resolveSampling({ temperature: 0, repetitionPenalty: 2, seed: 0 });
    expect(sampleNext(logits, s, new SeededRandom(0), [1])).toBe(2); // 2 / 2 = 1 < 1.5
  });

  it('same seed gives the same draws; the empirical distribution matches softmax(logits / T)', () => {
    const s = resolveSampling({ temperature: 0.7, topK: 0, topP: 1, repetitionPenalty: 1, seed: 42 });
    const draw = (seed: number) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 200 }, () => sampleNext(logits, s, rng));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    const rng = new SeededRandom(7);
    const counts = new Array(5).fill(0);
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleNext(logits, s, rng)]++;
    const expected = softmax(Array.from(logits, (v) => v / 0.7));
    for (let i = 0; i < 5; i++) expect(Math.abs(counts[i] / n - expected[i]!)).toBeLessThan(0.015);
  });

  it('top-k 1 and tiny top-p both reduce to greedy', () => {
    const rng = new SeededRandom(3);
    const k1 = resolveSampling({ temperature: 1.5, topK: 1, seed: 0 });
    const p0 = resolveSampling({ temperature: 1.5, topP: 1e-6, seed: 0 });
    for (let i = 0; i < 50; i++) {
      expect(sampleNext(logits, k1, rng)).toBe(1);
      expect(sampleNext(logits, p0, rng)).toBe(1);
    }
  });

  it('top-k 2 only ever draws the two best tokens', () => {
    const s = resolveSampling({ temperature: 3, topK: 2, seed: 0 });
    const rng = new SeededRandom(9);
    const got = new Set(Array.from({ length: 300 }, () => sampleNext(logits, s, rng)));
    expect([...got].sort()).toEqual([1, 2]);
  });
});

describe('option validation', () => {
  const bad: [string, () => unknown][] = [
    ['temperature', () => resolveSampling({ temperature: -0.1 })],
    ['temperature', () => resolveSampling({ temperature: Number.NaN })],
    ['topK', () => resolveSampling({ topK: -1 })],
    ['topK', () => resolveSampling({ topK: 1.5 })],
    ['topP', () => resolveSampling({ topP: 0 })],
    ['topP', () => resolveSampling({ topP: 1.01 })],
    ['repetitionPenalty', () => resolveSampling({ repetitionPenalty: 0 })],
    ['seed', () => resolveSampling({ seed: 0.5 })],
    ['maxNewTokens', () => resolveMaxNewTokens(-1)],
    ['maxNewTokens', () => resolveMaxNewTokens(2.5)],
    ['stop', () => resolveStop([''])],
  ];
  for (const [option, fn] of bad) {
    it(`rejects a bad ${option}`, () => {
      expect(fn).toThrow(InvalidOptionError);
      try {
        fn();
      } catch (e) {
        expect((e as InvalidOptionError).option).toBe(option);
        expect((e as Error).message).toContain(option);
      }
    });
  }

  it('accepts the edges', () => {
    expect(resolveSampling({ temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 5 })).toEqual({
      temperature: 0,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
      seed: 5,
    });
    expect(resolveMaxNewTokens(0)).toBe(0);
  });

  it('fills in DEFAULT_SAMPLING, also for options passed as undefined', () => {
    const { maxNewTokens, ...sampling } = DEFAULT_SAMPLING;
    expect(resolveSampling({ seed: 1 })).toEqual({ ...sampling, seed: 1 });
    expect(resolveSampling({ temperature: undefined, topK: undefined, seed: 1 })).toEqual({
      ...sampling,
      seed: 1,
    });
    expect(resolveMaxNewTokens(undefined)).toBe(maxNewTokens);
  });
});
