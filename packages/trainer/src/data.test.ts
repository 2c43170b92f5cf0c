import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '@spinettai/tokenizer';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchSampler, evalBatches, loadDataset } from './data.js';
import { removeTempDirs, tempDir, writeDataset } from './test-utils/dataset.js';

afterAll(removeTempDirs);

describe('dataset', () => {
  const train = Array.from({ length: 200 }, (_, i) => i % 50);
  const val = Array.from({ length: 40 }, (_, i) => (i * 7) % 50);

  it('loads uint16 little-endian splits and cuts shifted windows', async () => {
    const dir = writeDataset(tempDir(), train, val, 260);
    const data = await loadDataset(dir);
    expect(Array.from(data.train.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);
    const s = new BatchSampler(data.train, 8, 3, { seed: 1 });
    const b = s.next();
    for (let r = 0; r < 3; r++) {
      for (let t = 0; t < 8; t++) {
        // train[i] = i % 50 so each target is its input + 1 (mod 50)
        expect(Number(b.targets[r * 8 + t])).toBe((Number(b.inputs[r * 8 + t]) + 1) % 50);
      }
    }
    expect(s.drawn).toBe(3);
  });

  it('sampling is deterministic by seed and resumes from the saved state', async () => {
    const data = await loadDataset(writeDataset(tempDir(), train, val, 260));
    const a = new BatchSampler(data.train, 8, 2, { seed: 5 });
    a.next();
    const resumed = new BatchSampler(data.train, 8, 2, { state: a.state(), drawn: a.drawn });
    expect(Array.from(resumed.next().inputs)).toEqual(Array.from(a.next().inputs));
    const fresh = new BatchSampler(data.train, 8, 2, { seed: 5 });
    const other = new BatchSampler(data.train, 8, 2, { seed: 6 });
    expect(Array.from(fresh.next().inputs)).not.toEqual(Array.from(other.next().inputs));
  });

  it('builds a fixed evaluation set from val.bin and falls back to train.bin with a warning', async () => {
    const data = await loadDataset(writeDataset(tempDir(), train, val, 260));
    const e1 = evalBatches(data, 8, 2, 2, () => {});
    const e2 = evalBatches(data, 8, 2, 2, () => {});
    expect(e1.map((b) => Array.from(b.inputs))).toEqual(e2.map((b) => Array.from(b.inputs)));
    expect(Number(e1[0]!.inputs[0])).toBe(val[0]);
    const small = await loadDataset(writeDataset(tempDir(), train, [1, 2, 3], 260));
    const warnings: string[] = [];
    evalBatches(small, 8, 2, 1, (m) => warnings.push(m));
    expect(warnings[0]).toMatch(/val.bin has 3 tokens/);
  });

  it('rejects a truncated split and out-of-vocabulary ids with DatasetError', async () => {
    const dir = writeDataset(tempDir(), train, val, 260);
    writeFileSync(join(dir, 'train.bin'), Buffer.alloc(7));
    await expect(loadDataset(dir)).rejects.toThrow(DatasetError);
    const dir2 = writeDataset(tempDir(), [1, 2, 999], val, 260);
    await expect(loadDataset(dir2)).rejects.toThrow(/outside vocab_size/);
  });
});
