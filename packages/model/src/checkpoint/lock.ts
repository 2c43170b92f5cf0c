// One writer per output folder. `lockFolder(target)` creates `.<name>.lock` beside the
// folder (beside, so that swapping the folder itself leaves the lock in place) holding
// the writer's pid, host, start time and command. The file appears complete or not at
// all: it is written under a temp name and hard-linked into place, which fails when a
// lock exists. A lock whose process is gone (same host, pid dead or reused by a process
// that started later) is stale and taken over; any other lock is refused naming its pid.

import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputFolderError, pidAlive, writeFileSynced } from './atomic.js';

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
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function parse(text: string): LockInfo | undefined {
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

const describe = (i: LockInfo): string =>
  `pid ${i.pid} on ${i.hostname}, \`${i.command}\` since ${i.started_at}`;

/**
 * Takes the lock of output folder `target` for `command` (e.g. 'train'), taking over a
 * stale one. Throws OutputFolderError naming the other process when it is held.
 */
export async function lockFolder(target: string, command: string): Promise<FolderLock> {
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
      const other = parse(seen);
      if (other === undefined)
        throw new OutputFolderError(
          `is locked by ${file}, which is not a spinettai lock; delete it if no spinettai command is running`,
          { file: target },
        );
      if (!isStale(other))
        throw new OutputFolderError(
          `is in use by another spinettai process (${describe(other)}); wait for it to finish or stop it — if it is not running, delete ${file}`,
          { file: target },
        );
      // Take over: move the stale lock aside, and check that what we moved is the one we judged.
      const aside = `${file}.stale-${process.pid}-${info.token}`;
      await rename(file, aside).catch(() => undefined);
      const moved = await readFile(aside, 'utf8').catch(() => undefined);
      if (moved !== undefined && moved !== seen) {
        // Another process took over first and we moved its live lock: put it back.
        await link(aside, file).catch(() => undefined);
        await rm(aside, { force: true });
        const now = parse(moved);
        throw new OutputFolderError(
          `is in use by another spinettai process (${now === undefined ? 'unknown' : describe(now)}); wait for it to finish`,
          { file: target },
        );
      }
      await rm(aside, { force: true });
    }
    throw new OutputFolderError(`could not take the lock ${file}; try again`, { file: target });
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
