import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Song } from './corpus.js';
import { prepareDataset, readDatasetMeta, readDatasetTokens } from './dataset.js';
import { CorpusError, DatasetError } from './errors.js';
import { splitSongs } from './split.js';
import { syntheticSongs } from './test-utils/corpus.js';
import { type Fixture, smallTokenizer } from './test-utils/fixture.js';

let fx: Fixture;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'spinettai-dataset-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  fx = await smallTokenizer();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const songs: Song[] = syntheticSongs(23, 77, 4).map((lyrics, i) => ({ title: `s${i}`, lyrics }));

describe('prepareDataset', () => {
  it('writes the dataset contract: eot + tokens per song, split by song, meta.json', async () => {
    const dir = tempDir();
    const meta = await prepareDataset(songs, fx.tokenizer, { outDir: dir, valFraction: 0.2, seed: 42 });
    expect(readdirSync(dir).sort()).toEqual(['meta.json', 'train.bin', 'val.bin']);
    const onDisk = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(Object.keys(onDisk)).toEqual([
      'format',
      'version',
      'vocab_size',
      'dtype',
      'eot_token_id',
      'pad_token_id',
      'tokenizer_sha256',
      'val_fraction',
      'seed',
      'splits',
    ]);
    expect(onDisk).toEqual(meta);
    expect(await readDatasetMeta(dir)).toEqual(meta);
    expect(meta).toMatchObject({
      format: 'spinettai-dataset',
      version: 1,
      dtype: 'uint16',
      eot_token_id: 0,
      pad_token_id: 1,
    });
    expect(meta.vocab_size).toBe(fx.tokenizer.vocabSize);
    expect(meta.tokenizer_sha256).toBe(fx.tokenizer.sha256);
    expect(meta.splits.val.songs).toBe(5); // round(23 * 0.2)
    expect(meta.splits.train.songs).toBe(18);

    const split = splitSongs(songs.length, 0.2, 42);
    for (const name of ['train', 'val'] as const) {
      const ids = [...(await readDatasetTokens(dir, name))];
      // Independent re-derivation: raw uint16 LE bytes, like numpy.fromfile(dtype="<u2").
      const raw = readFileSync(join(dir, `${name}.bin`));
      expect(raw.length).toBe(ids.length * 2);
      expect(Array.from({ length: ids.length }, (_, i) => raw.readUInt16LE(i * 2))).toEqual(ids);
      const expected = split[name].flatMap((i) => [0, ...fx.tokenizer.encode((songs[i] as Song).lyrics)]);
      expect(ids).toEqual(expected);
      expect(ids.filter((id) => id === 0)).toHaveLength(meta.splits[name].songs);
      expect(meta.splits[name].tokens).toBe(ids.length);
      // Each song decodes back from its segment.
      const text = fx.tokenizer.decode(ids);
      expect(text).toBe(split[name].map((i) => `<|endoftext|>${(songs[i] as Song).lyrics}`).join(''));
    }
  });

  it('is deterministic by seed and different for another seed', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    await prepareDataset(songs, fx.tokenizer, { outDir: a, seed: 7 });
    await prepareDataset(songs, fx.tokenizer, { outDir: b, seed: 7 });
    await prepareDataset(songs, fx.tokenizer, { outDir: c, seed: 8 });
    for (const f of ['train.bin', 'val.bin', 'meta.json']) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    }
    expect(readFileSync(join(a, 'val.bin')).equals(readFileSync(join(c, 'val.bin')))).toBe(false);
  });

  it('splits disjointly and covers every song', () => {
    const s = splitSongs(100, 0.1, 1337);
    expect(s.val).toHaveLength(10);
    expect(new Set([...s.train, ...s.val]).size).toBe(100);
    expect(splitSongs(2, 0.1, 1).val).toHaveLength(1);
  });

  it('rejects too few songs, empty corpora and bad options, writing nothing', async () => {
    const dir = tempDir();
    const one = songs.slice(0, 1);
    await expect(prepareDataset(one, fx.tokenizer, { outDir: dir })).rejects.toThrow(CorpusError);
    await expect(prepareDataset(one, fx.tokenizer, { outDir: dir })).rejects.toThrow(/needs at least 2/);
    await expect(prepareDataset([], fx.tokenizer, { outDir: dir })).rejects.toThrow(/no songs with lyrics/);
    await expect(prepareDataset(songs, fx.tokenizer, { outDir: dir, valFraction: 0 })).rejects.toThrow(
      DatasetError,
    );
    await expect(prepareDataset(songs, fx.tokenizer, { outDir: dir, valFraction: 1 })).rejects.toThrow(
      /valFraction/,
    );
    await expect(prepareDataset(songs, fx.tokenizer, { outDir: dir, seed: -1 })).rejects.toThrow(/seed/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('readDatasetMeta and readDatasetTokens reject damaged folders', async () => {
    const dir = tempDir();
    await expect(readDatasetMeta(dir)).rejects.toThrow(DatasetError);
    await prepareDataset(songs, fx.tokenizer, { outDir: dir });
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, dtype: 'uint32' }));
    await expect(readDatasetMeta(dir)).rejects.toThrow(/"dtype"/);
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    writeFileSync(join(dir, 'val.bin'), new Uint8Array(3));
    await expect(readDatasetTokens(dir, 'val')).rejects.toThrow(/3 bytes/);
  });
});
