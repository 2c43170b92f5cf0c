// Durable, all-or-nothing writes, and the one owner of how output folders are replaced.
// Files are fsynced before they become visible. An output folder (checkpoint, export,
// run) is built in a temp folder beside its target and swapped in by renames, so a
// crash leaves the old folder or the new one, never a mix. Linux has no portable
// atomic exchange of two folders, so a swap is three renames, each a recoverable state:
//   .<name>.tmp-<pid>-<hex>   being built (incomplete: discarded on recovery)
//   .<name>.new-<pid>-<hex>   built and fsynced (complete: recovery finishes the swap)
//   .<name>.old-<pid>-<hex>   the previous folder, moved aside (recovery puts it back
//                             when no complete new one exists; otherwise deletes it)
// `recoverDir` turns any of these states back into `<name>` plus no leftovers; the
// swap runs it first, and readers (loadCheckpoint) run it before reading.
// Never destroy what we didn't write: every folder built here carries MARKER_FILE
// naming its kind, and only an empty folder or one with the same marker is replaced.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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

/** A folder this tool refuses to touch: not written by it, of another kind, or in use. */
export class OutputFolderError extends CheckpointError {
  override readonly name: string = 'OutputFolderError';
}

/** The marker file inside every folder this tool writes (hidden; JSON). */
export const MARKER_FILE = '.spinettai.json';

/** What a marked folder holds. */
export type OutputKind = 'checkpoint' | 'export' | 'run' | 'data';

const markerText = (kind: OutputKind): string =>
  `${JSON.stringify({ format: 'spinettai-output', version: 1, kind })}\n`;

/** Writes the marker of `kind` into `dir` (atomically; `dir` must exist). */
export async function writeMarker(dir: string, kind: OutputKind): Promise<void> {
  await writeFileAtomic(join(dir, MARKER_FILE), markerText(kind));
}

/** The kind named by `dir`'s marker, or undefined when it has none (or a foreign one). */
export async function readMarker(dir: string): Promise<OutputKind | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, MARKER_FILE), 'utf8')) as Record<string, unknown>;
    return m['format'] === 'spinettai-output' && typeof m['kind'] === 'string'
      ? (m['kind'] as OutputKind)
      : undefined;
  } catch {
    return undefined;
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Throws unless `target` is missing, an empty folder, or a folder whose marker says
 * `kind` — and then only with `overwrite` (default true: checkpoints are replaced at
 * every save; a command's output folder passes the user's choice). The message names
 * the folder and what to do.
 */
export async function checkReplaceable(target: string, kind: OutputKind, overwrite = true): Promise<void> {
  if (!(await exists(target))) return;
  if (!(await stat(target)).isDirectory())
    throw new OutputFolderError('exists and is not a folder; choose another path', { file: target });
  if ((await readdir(target)).length === 0) return;
  const found = await readMarker(target);
  if (found === kind && overwrite) return;
  if (found === kind)
    throw new OutputFolderError(
      `holds an earlier spinettai ${kind}; use \`overwrite\` to replace it, or choose another folder`,
      { file: target },
    );
  throw new OutputFolderError(
    found === undefined
      ? `is a non-empty folder that spinettai did not write (no ${MARKER_FILE}); refusing to replace it — choose a new or empty folder, or move it away yourself`
      : `is a spinettai ${found} folder, not the ${kind} folder expected here; refusing to replace it — choose another folder`,
    { file: target },
  );
}

/** Is process `pid` running (on this host)? EPERM means it runs as another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Leftover {
  path: string;
  stage: 'tmp' | 'new' | 'old';
  pid: number;
}

/** Swap leftovers of `target` whose writer is gone (a live writer's are left alone). */
async function deadLeftovers(target: string): Promise<Leftover[]> {
  const parent = dirname(target);
  const re = new RegExp(
    `^\\.${basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|new|old)-(\\d+)-[0-9a-f]+$`,
  );
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const out: Leftover[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m === null) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || pidAlive(pid)) continue;
    out.push({ path: join(parent, name), stage: m[1] as Leftover['stage'], pid });
  }
  return out;
}

const newest = async (paths: string[]): Promise<string | undefined> => {
  const times = await Promise.all(paths.map(async (p) => ({ p, t: (await stat(p)).mtimeMs })));
  return times.sort((a, b) => b.t - a.t)[0]?.p;
};

/**
 * Repairs a folder swap that a killed process left unfinished: when `target` is
 * missing, a complete new folder is moved in (the swap is finished) or else the old
 * one is put back; then every leftover temp, new and old folder is deleted.
 * Returns what it did. Safe to call at any time; a live writer's folders are kept.
 */
export async function recoverDir(dir: string): Promise<'none' | 'finished' | 'restored'> {
  const target = resolve(dir);
  const left = await deadLeftovers(target);
  if (left.length === 0) return 'none';
  let result: 'none' | 'finished' | 'restored' = 'none';
  if (!(await exists(target))) {
    const pick = async (stage: Leftover['stage']) =>
      newest(left.filter((l) => l.stage === stage).map((l) => l.path));
    const fresh = await pick('new');
    const old = fresh === undefined ? await pick('old') : undefined;
    const from = fresh ?? old;
    if (from !== undefined) {
      await rename(from, target);
      result = fresh !== undefined ? 'finished' : 'restored';
    }
  }
  for (const l of left) await rm(l.path, { recursive: true, force: true });
  await syncDir(dirname(target));
  return result;
}

/**
 * Replaces folder `target` with one built by `build(tmpDir)`, marked as `kind`. An
 * existing target must be empty or carry the same marker (else OutputFolderError,
 * before anything is written). On failure the temp folder is removed and the target
 * is untouched; after a kill, `recoverDir` (run here first) repairs it.
 */
export async function replaceDirAtomic(
  target: string,
  kind: OutputKind,
  build: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const abs = resolve(target); // `.` has no name to put the temp folders beside
  const parent = dirname(abs);
  await mkdir(parent, { recursive: true });
  await recoverDir(abs);
  await checkReplaceable(abs, kind);
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const stage = (s: string) => join(parent, `.${basename(abs)}.${s}-${tag}`);
  const tmp = stage('tmp');
  const ready = stage('new');
  const old = stage('old');
  await mkdir(tmp);
  try {
    await build(tmp);
    await writeFileSynced(join(tmp, MARKER_FILE), markerText(kind));
    await syncDir(tmp);
    await rename(tmp, ready);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const hadOld = await exists(abs);
  try {
    if (hadOld) await rename(abs, old);
    await rename(ready, abs);
  } catch (e) {
    if (hadOld && !(await exists(abs))) await rename(old, abs);
    await rm(ready, { recursive: true, force: true });
    throw e;
  }
  await syncDir(parent);
  if (hadOld) await rm(old, { recursive: true, force: true });
}
