// Durable, all-or-nothing writes: files are fsynced before they become visible, and
// a checkpoint folder is built in a temp folder beside its target and swapped in by
// rename, so a crash leaves either the old folder or the new one, never a mix.
// Linux has no portable atomic exchange of two folders, so the swap is two renames;
// between them the old folder sits at `.<name>.old-*` beside the target.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from './errors.js';

/** Writes `data` to a new file and fsyncs it (no rename; for files inside a temp folder). */
export async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a folder so the renames inside it survive a crash. */
export async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a file atomically: temp file in the same folder, fsync, rename, fsync the folder. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFileSynced(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Replaces folder `target` with one built by `build(tmpDir)`. The temp folder sits beside
 * the target (same file system); on failure it is removed and the target is untouched.
 * `canReplace` vets an existing target before anything is written.
 */
export async function replaceDirAtomic(
  target: string,
  build: (tmpDir: string) => Promise<void>,
  canReplace: (existing: string, entries: string[]) => void,
): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  if (await exists(target)) {
    if (!(await stat(target)).isDirectory())
      throw new CheckpointError('exists and is not a folder; choose another path', { file: target });
    canReplace(target, await readdir(target));
  }
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  await mkdir(tmp);
  try {
    await build(tmp);
    await syncDir(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = join(parent, `.${basename(target)}.old-${tag}`);
  const hadOld = await exists(target);
  if (hadOld) await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (e) {
    if (hadOld) await rename(old, target);
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await syncDir(parent);
  if (hadOld) await rm(old, { recursive: true, force: true });
}
