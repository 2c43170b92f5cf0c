import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomicWrite.js';
import { CorpusFileError } from './errors.js';
import { tempDir } from './test-utils/scrapeHarness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const path = join(dir, 'seed.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, '{"a":"b"}');
    expect(await readFile(path, 'utf8')).toBe('{"a":"b"}');
    expect(await readdir(dir)).toEqual(['seed.json']);
  });
  it('fails with a typed error and keeps nothing half-written', async () => {
    const path = join(dir, 'seed.json');
    await writeFile(path, 'old');
    // A directory cannot be renamed over by a file.
    await expect(writeFileAtomic(dir, 'x')).rejects.toBeInstanceOf(CorpusFileError);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
