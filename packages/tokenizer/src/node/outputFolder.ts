// Durable, all-or-nothing writes of files and whole folders, and one writer per folder:
// the on-disk conventions of every folder spinettai writes (data folders here;
// checkpoints, exports and runs in @spinettai/model, which re-exports this module).
//
// Files are fsynced before they become visible. A folder is built in a temp folder
// beside its target and swapped in by renames, so a crash leaves the old folder or the
// new one, never a mix. Linux has no portable atomic exchange of two folders, so a swap
// is three renames, each a recoverable state:
//   .<name>.tmp-<pid>-<hex>   being built (incomplete: discarded on recovery)
//   .<name>.new-<pid>-<hex>   built and fsynced (complete: recovery finishes the swap)
//   .<name>.old-<pid>-<hex>   the previous folder, moved aside (recovery puts it back
//                             when no complete new one exists; otherwise deletes it)
// `recoverDir` turns any of these states back into `<name>` plus no leftovers.
// Every folder built here carries MARKER_FILE naming its kind, so that callers replace
// only folders this tool wrote.
//
// `lockFolder(target)` creates `.<name>.lock` beside the folder (beside, so that swapping
// the folder leaves the lock in place) holding the writer's pid, host, start time and
// command. The file appears complete or not at all: it is written under a temp name and
// hard-linked into place, which fails when a lock exists. A lock whose process is gone
// (same host, pid dead or reused by a process that started later) is stale and taken
// over; any other lock is refused naming its pid.

import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

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
    out.push({ path: join(parent, name), stage: m[1] as Leftover['stage'] });
  }
  return out;
}

const newest = async (paths: string[]): Promise<string | undefined> => {
  const times = await Promise.all(paths.map(async (p) => ({ p, t: (await stat(p)).mtimeMs })));
  return times.sort((a, b) => b.t - a.t)[0]?.p;
};

/**
 * Repairs a folder swap that a killed process left unfinished: when `dir` is missing, a
 * complete new folder is moved in (the swap is finished) or else the old one is put back;
 * then every leftover temp, new and old folder is deleted. Returns what it did. Safe to
 * call at any time; a live writer's folders are kept.
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
 * Replaces folder `target` (absolute, its parent existing) with one built by
 * `build(tmpDir)` and marked as `kind`, by the three renames of the header. Whether
 * `target` may be replaced is the caller's check, made before. On failure the temp
 * folder is removed and the target is untouched; after a kill, `recoverDir` repairs it.
 */
export async function swapDirIn(
  target: string,
  kind: OutputKind,
  build: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const parent = dirname(target);
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const stage = (s: string) => join(parent, `.${basename(target)}.${s}-${tag}`);
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
  const hadOld = await exists(target);
  try {
    if (hadOld) await rename(target, old);
    await rename(ready, target);
  } catch (e) {
    if (hadOld && !(await exists(target))) await rename(old, target);
    await rm(ready, { recursive: true, force: true });
    throw e;
  }
  await syncDir(parent);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** The lock file's contents (snake_case, as on disk). */
interface LockInfo {
  format: 'spinettai-lock';
  pid: number;
  hostname: string;
  /** When the process started, in clock ticks since boot (Linux /proc), or null elsewhere. */
  proc_start: string | null;
  started_at: string;
  command: string;
  token: string;
}

/** A held lock; release it when the folder is written. */
export interface FolderLock {
  /** The lock file. */
  readonly file: string;
  /** Deletes the lock file (when it is still ours). Idempotent. */
  release(): Promise<void>;
}

/** The lock file of folder `target`. */
export const lockFileOf = (target: string): string => {
  const abs = resolve(target); // `--out .` locks `../.<cwd name>.lock`
  return join(dirname(abs), `.${basename(abs)}.lock`);
};

/** Start time of process `pid` from /proc/<pid>/stat (field 22), or null where unknown. */
function procStart(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as LockInfo;
    return v.format === 'spinettai-lock' && Number.isInteger(v.pid) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Is the process that wrote `info` certainly gone? Only decidable on this host. */
function isStale(info: LockInfo): boolean {
  if (info.hostname !== hostname()) return false;
  if (!pidAlive(info.pid)) return true;
  const now = procStart(info.pid);
  return info.proc_start !== null && now !== null && now !== info.proc_start;
}

const describeLock = (i: LockInfo): string =>
  `pid ${i.pid} on ${i.hostname}, \`${i.command}\` since ${i.started_at}`;

/**
 * Takes the lock of folder `target` for `command` (e.g. 'train'), taking over a stale
 * one. When it is held, throws `refuse(message)`: the caller's own error type, with a
 * message that says who holds it and what to do (it does not name `target`).
 */
export async function lockFolder(
  target: string,
  command: string,
  refuse: (message: string) => Error,
): Promise<FolderLock> {
  const file = lockFileOf(target);
  await mkdir(dirname(file), { recursive: true });
  const info: LockInfo = {
    format: 'spinettai-lock',
    pid: process.pid,
    hostname: hostname(),
    proc_start: procStart(process.pid),
    started_at: new Date().toISOString(),
    command,
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(info)}\n`;
  const tmp = `${file}.${process.pid}-${info.token}.tmp`;
  await writeFileSynced(tmp, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, file);
        return held(file, text);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = await readFile(file, 'utf8').catch(() => undefined);
      if (seen === undefined) continue; // released meanwhile
      const other = parseLock(seen);
      if (other === undefined)
        throw refuse(
          `is locked by ${file}, which is not a spinettai lock; delete it if no spinettai command is running`,
        );
      if (!isStale(other))
        throw refuse(
          `is in use by another spinettai process (${describeLock(other)}); wait for it to finish or stop it — if it is not running, delete ${file}`,
        );
      // Take over: move the stale lock aside, and check that what we moved is the one we judged.
      const aside = `${file}.stale-${process.pid}-${info.token}`;
      await rename(file, aside).catch(() => undefined);
      const moved = await readFile(aside, 'utf8').catch(() => undefined);
      if (moved !== undefined && moved !== seen) {
        // Another process took over first and we moved its live lock: put it back.
        await link(aside, file).catch(() => undefined);
        await rm(aside, { force: true });
        const now = parseLock(moved);
        throw refuse(
          `is in use by another spinettai process (${now === undefined ? 'unknown' : describeLock(now)}); wait for it to finish`,
        );
      }
      await rm(aside, { force: true });
    }
    throw refuse(`could not take the lock ${file}; try again`);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Removes the lock file only when it still holds our contents. */
function removeIfOurs(file: string, text: string): void {
  try {
    if (readFileSync(file, 'utf8') === text) unlinkSync(file);
  } catch {
    // already gone
  }
}

function held(file: string, text: string): FolderLock {
  // A normal exit (also process.exit after an error) drops the lock; a kill leaves a stale one.
  const onExit = () => removeIfOurs(file, text);
  process.once('exit', onExit);
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const now = await readFile(file, 'utf8').catch(() => undefined);
      if (now === text) await unlink(file).catch(() => undefined);
    },
  };
}
