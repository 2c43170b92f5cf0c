import { describe, expect, it } from 'vitest';
import { benchGenerate } from './bench.js';
import { InvalidOptionError } from './errors.js';

const tiny = { vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8 };

describe('benchGenerate', () => {
  it('measures with and without the cache on a tiny model', async () => {
    for (const kvCache of [true, false]) {
      const r = await benchGenerate(tiny, { promptTokens: 20, newTokens: 24, kvCache, threads: 1, runs: 2 });
      expect(r).toMatchObject({ kv_cache: kvCache, threads: 1, prompt_tokens: 20, new_tokens: 24, runs: 2 });
      expect(r.new_tokens_per_s).toBeGreaterThan(0);
      expect(Number.isFinite(r.new_tokens_per_s)).toBe(true);
      expect(r.prefill_ms).toBeGreaterThan(0);
      expect(r.total_ms).toBeGreaterThanOrEqual(r.prefill_ms);
    }
  });

  it('times a batch of rows (through a context slide) and counts every row', async () => {
    const r = await benchGenerate(tiny, { promptTokens: 4, newTokens: 20, batch: 3, threads: 1, runs: 1 });
    expect(r).toMatchObject({ batch: 3, kv_cache: true, new_tokens: 20 });
    expect(Number.isFinite(r.new_tokens_per_s) && r.new_tokens_per_s > 0).toBe(true);
    expect(r.total_ms).toBeGreaterThan(r.prefill_ms);
    await expect(benchGenerate(tiny, { batch: 2, kvCache: false })).rejects.toThrow(/'batch'/);
    await expect(benchGenerate(tiny, { batch: 0 })).rejects.toThrow(/'batch'/);
  });

  it('rejects bad options and configs', async () => {
    await expect(benchGenerate(tiny, { newTokens: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(benchGenerate(tiny, { threads: -1 })).rejects.toThrow(/threads/);
    await expect(benchGenerate({ ...tiny, nHead: 3 })).rejects.toThrow(/nHead/);
  });
});
