import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CorpusRecord,
  corpusMarkerPath,
  markCorpusFile,
  openCorpusFile,
  parseCorpus,
} from './corpusFile.js';
import { CorpusFileError } from './errors.js';
import { tempDir } from './test-utils/scrapeHarness.js';

const rec = (id: number): CorpusRecord => ({
  id,
  title: `Canción ${id}`,
  artist: 'Almendra',
  album: null,
  releaseDate: '1970-01-01',
  url: null,
  lyrics: `línea uno\nlínea "dos" ${id}`,
});

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('openCorpusFile', () => {
  it('creates the file (and its folder) and appends one JSON line per record', async () => {
    const path = join(dir, 'sub', 'c.jsonl');
    const f = await openCorpusFile(path);
    expect(f.existing).toEqual([]);
    await f.append(rec(1));
    await f.append(rec(2));
    await f.close();
    const text = await readFile(path, 'utf8');
    expect(text).toBe(`${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`);
  });

  it('reads saved records and cuts a partial last line before appending', async () => {
    const path = join(dir, 'c.jsonl');
    const half = JSON.stringify(rec(2)).slice(0, 17);
    await writeFile(path, `${JSON.stringify(rec(1))}\n${half}`);
    await markCorpusFile(path);
    const f = await openCorpusFile(path);
    expect(f.existing).toEqual([rec(1)]);
    expect(f.truncatedBytes).toBe(Buffer.byteLength(half));
    await f.append(rec(3));
    await f.close();
    expect(parseCorpus(await readFile(path, 'utf8'), path)).toEqual([rec(1), rec(3)]);
  });

  it('names the bad line of a corrupt file', async () => {
    const path = join(dir, 'c.jsonl');
    await writeFile(path, `${JSON.stringify(rec(1))}\n\n{"id":2}\n`);
    await markCorpusFile(path);
    await expect(openCorpusFile(path)).rejects.toThrow(/line 3 is not a corpus record/);
    await writeFile(path, 'nope\n');
    await expect(openCorpusFile(path)).rejects.toBeInstanceOf(CorpusFileError);
  });

  it('marks the file it creates, and refuses an existing file it did not write, naming it', async () => {
    const mine = join(dir, 'mine.jsonl');
    const f = await openCorpusFile(mine);
    await f.append(rec(1));
    await f.close();
    expect(JSON.parse(await readFile(corpusMarkerPath(mine), 'utf8'))).toMatchObject({
      writer: '@spinettai/scraper',
    });
    const again = await openCorpusFile(mine); // resumed
    expect(again.existing).toEqual([rec(1)]);
    await again.close();

    const handWritten = join(dir, 'hand.jsonl');
    const text = `${JSON.stringify(rec(7))}\n`;
    await writeFile(handWritten, text);
    const err = await openCorpusFile(handWritten).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusFileError);
    expect((err as Error).message).toContain(handWritten);
    expect((err as Error).message).toMatch(/not written by the scraper/);
    expect(await readFile(handWritten, 'utf8')).toBe(text); // untouched

    // A marker of some other tool does not count.
    await writeFile(corpusMarkerPath(handWritten), '{"writer":"someone-else","format":1}');
    await expect(openCorpusFile(handWritten)).rejects.toBeInstanceOf(CorpusFileError);
  });
});
