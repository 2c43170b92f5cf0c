import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainBpe } from './bpeTrainer.js';
import { BpeConfigError, CorpusError } from './errors.js';
import { loadTokenizer } from './node/tokenizerFiles.js';
import { splitSongs } from './split.js';
import { syntheticSongs } from './test-utils/corpus.js';
import { tokenizeCorpus } from './tokenizeCorpus.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'spinettai-tokcorpus-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const lyrics = syntheticSongs(30, 21, 6);
const jsonl = lyrics
  .map((l, i) =>
    JSON.stringify({
      id: i,
      title: `t${i}`,
      artist: 'X',
      album: null,
      releaseDate: null,
      url: null,
      lyrics: l,
    }),
  )
  .join('\n');
const FILES = ['meta.json', 'tokenizer.json', 'tokenizer_config.json', 'train.bin', 'val.bin'];

describe('tokenizeCorpus', () => {
  it('trains on the train split only and writes all five files, byte-identical across runs', async () => {
    const src = tempDir();
    const corpusPath = join(src, 'corpus.jsonl');
    writeFileSync(corpusPath, jsonl);
    const [a, b] = [tempDir(), tempDir()];
    const opts = { corpusPath, vocabSize: 400, valFraction: 0.2, seed: 5 };
    const r = await tokenizeCorpus({ ...opts, outDir: a });
    await tokenizeCorpus({ ...opts, outDir: b });
    expect(readdirSync(a).sort()).toEqual(['.spinettai.json', ...FILES]);
    for (const f of FILES) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);

    const split = splitSongs(30, 0.2, 5);
    const trainOnly = await trainBpe(
      split.train.map((i) => lyrics[i] as string),
      { vocabSize: 400 },
    );
    expect(r.model).toEqual(trainOnly);
    const loaded = await loadTokenizer(a);
    expect(r.meta.tokenizer_sha256).toBe(loaded.sha256);
    expect(r.meta.splits.val.songs).toBe(6);
  });

  it('accepts songs in memory', async () => {
    const out = tempDir();
    const r = await tokenizeCorpus({
      songs: lyrics.map((l) => ({ title: null, lyrics: l })),
      outDir: out,
      vocabSize: 300,
    });
    expect(r.tokenizer.vocabSize).toBe(300);
    expect(r.meta.splits.train.songs + r.meta.splits.val.songs).toBe(30);
  });

  it('fails before writing anything on bad input', async () => {
    const out = tempDir();
    const songs = lyrics.map((l) => ({ title: null, lyrics: l }));
    await expect(tokenizeCorpus({ songs, outDir: out, vocabSize: 100 })).rejects.toThrow(BpeConfigError);
    await expect(tokenizeCorpus({ songs: songs.slice(0, 1), outDir: out })).rejects.toThrow(
      /needs at least 2/,
    );
    await expect(tokenizeCorpus({ songs: [], outDir: out })).rejects.toThrow(CorpusError);
    await expect(tokenizeCorpus({ outDir: out })).rejects.toThrow(/exactly one/);
    expect(readdirSync(out)).toEqual([]);
  });
});
