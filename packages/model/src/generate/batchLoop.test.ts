// N samples decoded as one batch must equal N single runs with seeds seed, seed + 1, …:
// greedy and sampled, rows ending at different points (EOS, stop string, length), through
// context slides, and with the per-row constraints (n-gram ban, min tokens, copy guard).
import { serializeModel } from '@spinettai/graph';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKvCacheGraph } from '../kvGraph.js';
import { LyricsIndex } from '../lyrics/copyGuard.js';
import { KvDecoder } from './decoder.js';
import { InvalidOptionError } from './errors.js';
import { loadTextGenerator } from './loadTextGenerator.js';
import type { GenerateIdsOptions, GenerateOptions } from './options.js';
import { type TinyCheckpoint, tinyCheckpoint } from './test-utils/fixture.js';
import type { TextGenerator } from './textGenerator.js';
import type { GenerateResult } from './textStream.js';

let ckpt: TinyCheckpoint;
let gen: TextGenerator;

beforeAll(async () => {
  ckpt = await tinyCheckpoint();
  gen = await loadTextGenerator(ckpt.dir, { threads: 1 });
});

afterAll(async () => {
  await gen.release();
  await ckpt.cleanup();
});

async function singleIds(prompt: number[], n: number, opts: GenerateIdsOptions) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await gen.generateIds(prompt, { ...opts, seed: opts.seed! + i }));
  return out;
}

async function singleTexts(prompt: string, n: number, opts: GenerateOptions): Promise<GenerateResult[]> {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await gen.generate(prompt, { ...opts, seed: opts.seed! + i }));
  return out;
}

describe('KvDecoder batch rows', () => {
  it('keepRows drops rows: the next step equals a batch of only the kept rows', async () => {
    const model = serializeModel(buildKvCacheGraph(ckpt.config, ckpt.params));
    const dec = await KvDecoder.create(ort, model, ckpt.config, { threads: 1 });
    try {
      const rows = [
        [0, 5, 9],
        [0, 7, 1],
        [0, 2, 30],
      ];
      await dec.prefillBatch(rows);
      dec.keepRows([2, 0]);
      expect(dec.batchSize).toBe(2);
      const kept = await dec.stepBatch([4, 8]); // (2, V)
      const want = await dec.prefillBatch([
        [...rows[2]!, 4],
        [...rows[0]!, 8],
      ]);
      for (let k = 0; k < want.length; k++) expect(kept[k]).toBeCloseTo(want[k]!, 4);
    } finally {
      await dec.release();
    }
  });
});

describe('generateIdsBatch', () => {
  it('greedy: every row equals the single run, through several context slides', async () => {
    const opts = { temperature: 0, maxNewTokens: 3 * ckpt.config.blockSize, seed: 5, stopTokenIds: [] };
    const prompt = [0, 5, 9, 12];
    const batch = await gen.generateIdsBatch(prompt, 3, opts);
    expect(batch).toEqual(await singleIds(prompt, 3, opts));
    expect(batch[0]!.ids).toHaveLength(3 * ckpt.config.blockSize);
  });

  it('sampled: row i equals the single run with seed + i, rows stopping at different points', async () => {
    // Stop at a token row 0 draws alone and row 1 never does: row 0 ends early (eos), row 1 runs to the length.
    const sampling = { seed: 100, temperature: 1.2 };
    const [row0, row1] = await singleIds([0, 3], 2, { ...sampling, maxNewTokens: 20, stopTokenIds: [] });
    const stop = row0!.ids.find((id) => !row1!.ids.includes(id))!;
    const opts = { ...sampling, maxNewTokens: 20, stopTokenIds: [stop] };
    const batch = await gen.generateIdsBatch([0, 3], 6, opts);
    expect(batch).toEqual(await singleIds([0, 3], 6, opts));
    expect(new Set(batch.map((r) => r.ids.length)).size).toBeGreaterThan(1);
    expect(batch.map((r) => r.finishReason)).toContain('eos');
    expect(batch.map((r) => r.finishReason)).toContain('length');
  });

  it('refuses a bad sample count and unknown options', async () => {
    await expect(gen.generateIdsBatch([0], 0)).rejects.toThrow(InvalidOptionError);
    await expect(gen.generateIdsBatch([0], 2, { kvCache: false } as never)).rejects.toThrow(/'kvCache'/);
  });
});

describe('generateBatch', () => {
  it('sample i equals generate with seed + i, field for field, with stop strings', async () => {
    const opts: GenerateOptions = { seed: 40, maxNewTokens: 60, stop: ['a'], temperature: 1 };
    const onSample: number[] = [];
    const batch = await gen.generateBatch('la', 5, { ...opts, onSample: (i) => void onSample.push(i) });
    const single = await singleTexts('la', 5, opts);
    expect(batch).toEqual(single);
    expect(batch.map((r) => r.finishReason)).toContain('stop');
    expect(new Set(batch.map((r) => r.tokenIds.length)).size).toBeGreaterThan(1);
    expect([...onSample].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps the per-row constraints: no-repeat n-gram, min tokens and the copied-lyrics guard', async () => {
    const lyricsIndex = LyricsIndex.fromTexts(['Oh la la, la noche se va, y yo me quedo cantando']);
    const opts: GenerateOptions = {
      seed: 9,
      maxNewTokens: 50,
      noRepeatNgram: 2,
      minNewTokens: 10,
      maxCopyWords: 2,
      lyricsIndex,
      temperature: 0.7,
    };
    const batch = await gen.generateBatch('Oh la', 4, opts);
    expect(batch).toEqual(await singleTexts('Oh la', 4, opts));
    for (const r of batch) expect(r.tokenIds.length).toBeGreaterThanOrEqual(10);
  });

  it('rejects onToken (it has no row) with the option named', async () => {
    await expect(gen.generateBatch('la', 2, { onToken: () => {} } as never)).rejects.toThrow(/'onToken'/);
  });
});
