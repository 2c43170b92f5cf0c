// The data folder (tokenizer.json, tokenizer_config.json, train.bin, val.bin, meta.json)
// is written as one unit: built in `.<name>.tmp-<pid>-<hex>` beside it, renamed to
// `.<name>.new-…` once complete, then swapped in (old folder to `.<name>.old-…`, new to
// `<name>`), under a lock file `.<name>.lock` holding the writer's pid. A kill at any
// moment leaves the old folder or the new one: `recoverDataFolder` (run before every
// write and read) finishes a complete swap or restores the old folder, and deletes the
// leftovers. Only an empty folder, one marked by spinettai (`.spinettai.json`, kind
// 'data') or an unmarked one holding nothing but a dataset's own files is replaced.
//
// This mirrors @spinettai/model's checkpoint/atomic.ts and checkpoint/lock.ts, which
// own the same on-disk conventions for checkpoints, exports and runs; the tokenizer is a
// leaf package and cannot import them. Keep the two in step.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DatasetError } from '../errors.js';

/** The marker file of every folder spinettai writes (same name and format as the model package's). */
export const MARKER_FILE = '.spinettai.json';
const MARKER_TEXT = `${JSON.stringify({ format: 'spinettai-output', version: 1, kind: 'data' })}\n`;

/** The files a data folder holds (an unmarked folder with only these may be replaced). */
const DATA_FILES = new Set([
  'tokenizer.json',
  'tokenizer_config.json',
  'train.bin',
  'val.bin',
  'meta.json',
  MARKER_FILE,
]);

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Repairs a data-folder swap a killed process left unfinished (see the header) and
 * deletes its leftovers; a live writer's temp folders are left alone.
 */
export async function recoverDataFolder(folder: string): Promise<void> {
  const dir = resolve(folder);
  const parent = dirname(dir);
  const esc = basename(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\.${esc}\\.(tmp|new|old)-(\\d+)-[0-9a-f]+$`);
  const names = await readdir(parent).catch(() => [] as string[]);
  const left = names
    .map((n) => ({ n, m: re.exec(n) }))
    .filter(({ m }) => m !== null && Number(m[2]) !== process.pid && !pidAlive(Number(m[2])))
    .map(({ n, m }) => ({ path: join(parent, n), stage: (m as RegExpExecArray)[1] }));
  if (left.length === 0) return;
  if (!(await exists(dir))) {
    const newest = async (stage: string) => {
      const c = await Promise.all(
        left
          .filter((l) => l.stage === stage)
          .map(async (l) => ({ p: l.path, t: (await stat(l.path)).mtimeMs })),
      );
      return c.sort((a, b) => b.t - a.t)[0]?.p;
    };
    const from = (await newest('new')) ?? (await newest('old'));
    if (from !== undefined) await rename(from, dir);
  }
  for (const l of left) await rm(l.path, { recursive: true, force: true });
  await syncDir(parent);
}

async function checkReplaceable(dir: string, overwrite: boolean): Promise<void> {
  if (!(await exists(dir))) return;
  if (!(await stat(dir)).isDirectory())
    throw new DatasetError(
      dir,
      `${dir} exists and is not a folder; choose another \`outDir\`.`,
      'option',
      'outDir',
    );
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  const marker = await readFile(join(dir, MARKER_FILE), 'utf8').catch(() => undefined);
  let kind: unknown;
  try {
    kind = marker === undefined ? undefined : (JSON.parse(marker) as { kind?: unknown }).kind;
  } catch {
    kind = undefined;
  }
  const ours = kind === 'data' || (marker === undefined && entries.every((e) => DATA_FILES.has(e))); // or written before markers
  if (ours && overwrite) return;
  if (ours)
    throw new DatasetError(
      dir,
      `${dir} holds an earlier data folder; use \`overwrite\` to replace it, or choose another \`outDir\`.`,
      'option',
      'overwrite',
    );
  throw new DatasetError(
    dir,
    `${dir} holds files spinettai did not write as a data folder (${
      entries
        .filter((e) => !DATA_FILES.has(e))
        .slice(0, 3)
        .join(', ') || MARKER_FILE
    }); refusing to replace it — choose a new or empty \`outDir\`.`,
    'option',
    'outDir',
  );
}

/** Start time of process `pid` (Linux /proc, clock ticks since boot), or null. */
function procStart(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

interface LockInfo {
  format: 'spinettai-lock';
  pid: number;
  hostname: string;
  proc_start: string | null;
  started_at: string;
  command: string;
  token: string;
}

/** Takes `.<name>.lock` beside `dir` (see model's checkpoint/lock.ts); returns its release. */
async function lock(dir: string): Promise<() => Promise<void>> {
  const file = join(dirname(dir), `.${basename(dir)}.lock`);
  const info: LockInfo = {
    format: 'spinettai-lock',
    pid: process.pid,
    hostname: hostname(),
    proc_start: procStart(process.pid),
    started_at: new Date().toISOString(),
    command: 'tokenize',
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(info)}\n`;
  const tmp = `${file}.${process.pid}-${info.token}.tmp`;
  await writeSynced(tmp, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, file);
        return async () => {
          if ((await readFile(file, 'utf8').catch(() => '')) === text) await unlink(file).catch(() => {});
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = await readFile(file, 'utf8').catch(() => undefined);
      if (seen === undefined) continue;
      let other: LockInfo | undefined;
      try {
        other = JSON.parse(seen) as LockInfo;
      } catch {
        other = undefined;
      }
      const stale =
        other !== undefined &&
        other.hostname === hostname() &&
        (!pidAlive(other.pid) ||
          (other.proc_start !== null &&
            procStart(other.pid) !== null &&
            procStart(other.pid) !== other.proc_start));
      if (!stale)
        throw new DatasetError(
          dir,
          other === undefined
            ? `${dir} is locked by ${file}, which is not a spinettai lock; delete it if no spinettai command is running.`
            : `${dir} is in use by another spinettai process (pid ${other.pid} on ${other.hostname}, \`${other.command}\` since ${other.started_at}); wait for it to finish or stop it — if it is not running, delete ${file}.`,
          'option',
          'outDir',
        );
      const aside = `${file}.stale-${process.pid}-${info.token}`;
      await rename(file, aside).catch(() => undefined);
      const moved = await readFile(aside, 'utf8').catch(() => undefined);
      if (moved !== undefined && moved !== seen) {
        await link(aside, file).catch(() => undefined);
        await rm(aside, { force: true });
        throw new DatasetError(
          dir,
          `${dir} is in use by another spinettai process; wait for it to finish.`,
          'option',
          'outDir',
        );
      }
      await rm(aside, { force: true });
    }
    throw new DatasetError(dir, `could not take the lock ${file}; try again.`, 'option', 'outDir');
  } finally {
    await rm(tmp, { force: true });
  }
}

/** One file of the data folder, by name. */
export interface DataFile {
  readonly name: string;
  readonly data: string | Uint8Array;
}

/** A locked, vetted data folder; `release()` it when done. */
export interface DataFolder {
  /** Replaces the folder with exactly `files` (plus the marker), as one unit. */
  write(files: readonly DataFile[]): Promise<void>;
  release(): Promise<void>;
}

/**
 * Locks data folder `dir` for this process, repairs a swap a killed writer left, and
 * checks that the folder may be replaced — before any long work starts. An earlier
 * data folder is replaced only with `overwrite`.
 * @throws DatasetError (option outDir or overwrite) when another process holds it, it
 * holds files this tool did not write, or it holds a data folder and `overwrite` is
 * false; nothing is written then.
 */
export async function openDataFolder(folder: string, overwrite: boolean): Promise<DataFolder> {
  const dir = resolve(folder); // `.` has no name to put the temp folders and the lock beside
  await mkdir(dirname(dir), { recursive: true });
  const release = await lock(dir);
  try {
    await recoverDataFolder(dir);
    await checkReplaceable(dir, overwrite);
  } catch (e) {
    await release();
    throw e;
  }
  return { write: (files) => swapIn(dir, files), release };
}

async function swapIn(dir: string, files: readonly DataFile[]): Promise<void> {
  const parent = dirname(dir);
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const stage = (s: string) => join(parent, `.${basename(dir)}.${s}-${tag}`);
  const tmp = stage('tmp');
  const ready = stage('new');
  const old = stage('old');
  await mkdir(tmp);
  try {
    for (const f of files) await writeSynced(join(tmp, f.name), f.data);
    await writeSynced(join(tmp, MARKER_FILE), MARKER_TEXT);
    await syncDir(tmp);
    await rename(tmp, ready);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const hadOld = await exists(dir);
  try {
    if (hadOld) await rename(dir, old);
    await rename(ready, dir);
  } catch (e) {
    if (hadOld && !(await exists(dir))) await rename(old, dir);
    await rm(ready, { recursive: true, force: true });
    throw e;
  }
  await syncDir(parent);
  if (hadOld) await rm(old, { recursive: true, force: true });
}
