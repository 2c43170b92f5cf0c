// Atomic file writes: write a temporary file in the destination folder, flush it,
// then rename it over the target. A reader sees the old file or the new one,
// never half of one; a failure leaves no temporary files behind.

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir, writeFileSynced } from './node/outputFolder.js';

/** One file to write. */
export interface FileToWrite {
  readonly path: string;
  readonly data: string | Uint8Array;
}

const tempPath = (path: string): string =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes several files so that none is replaced until all have been written:
 * every temporary file is written and flushed first, then each is renamed.
 */
export async function writeFilesAtomic(files: readonly FileToWrite[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const f of files) {
      await mkdir(dirname(f.path), { recursive: true });
      const tmp = tempPath(f.path);
      temps.push(tmp);
      await writeFileSynced(tmp, f.data);
    }
  } catch (err) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw err;
  }
  for (let i = 0; i < files.length; i++) {
    await rename(temps[i] as string, (files[i] as FileToWrite).path);
  }
  for (const dir of new Set(files.map((f) => dirname(f.path)))) await syncDir(dir);
}
