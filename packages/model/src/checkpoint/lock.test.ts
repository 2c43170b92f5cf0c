// Folder locks against real processes: a live holder is refused by pid, a holder
// killed with SIGKILL leaves a stale lock that the next writer takes over.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputFolderError } from './atomic.js';
import { lockFileOf, lockFolder } from './lock.js';

const root = mkdtempSync(join(tmpdir(), 'spinettai-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const procStart = (pid: number): string => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] as string;
};

/** Writes the lock file another spinettai process would have written. */
const foreignLock = (target: string, pid: number, extra: Record<string, unknown> = {}) =>
  writeFileSync(
    lockFileOf(target),
    JSON.stringify({
      format: 'spinettai-lock',
      pid,
      hostname: hostname(),
      proc_start: procStart(pid),
      started_at: '2026-01-01T00:00:00.000Z',
      command: 'train',
      token: 'other',
      ...extra,
    }),
  );

const sleeper = async (): Promise<ChildProcess> => {
  const p = spawn('sleep', ['60']);
  await new Promise((r) => p.once('spawn', r));
  return p;
};
const kill9 = async (p: ChildProcess) => {
  p.kill('SIGKILL');
  await new Promise((r) => p.once('exit', r));
};

describe('lockFolder', () => {
  it('one holder at a time; release removes the lock file', async () => {
    const target = join(root, 'run');
    const lock = await lockFolder(target, 'train');
    const info = JSON.parse(readFileSync(lock.file, 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'train' });
    const err = await lockFolder(target, 'export').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputFolderError);
    expect((err as Error).message).toMatch(
      new RegExp(`run: is in use by another spinettai process \\(pid ${process.pid} on .*\`train\``),
    );
    await lock.release();
    expect(existsSync(lock.file)).toBe(false);
    await (await lockFolder(target, 'train')).release();
  });

  it('refuses a live process, and takes over once it is killed with SIGKILL', async () => {
    const target = join(root, 'held');
    const holder = await sleeper();
    try {
      foreignLock(target, holder.pid as number);
      await expect(lockFolder(target, 'train')).rejects.toThrow(`pid ${holder.pid} on ${hostname()}`);
    } finally {
      await kill9(holder);
    }
    const lock = await lockFolder(target, 'train');
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('a recycled pid (same pid, later start time) is stale too', async () => {
    const target = join(root, 'recycled');
    const other = await sleeper();
    try {
      foreignLock(target, other.pid as number, { proc_start: '1' });
      await (await lockFolder(target, 'train')).release();
    } finally {
      await kill9(other);
    }
  });

  it('refuses a lock from another host (cannot tell whether it is alive) and a foreign file', async () => {
    const target = join(root, 'remote');
    foreignLock(target, process.pid, { hostname: 'elsewhere' });
    await expect(lockFolder(target, 'train')).rejects.toThrow(
      /pid \d+ on elsewhere.*delete .*\.remote\.lock/,
    );
    writeFileSync(lockFileOf(target), 'not json');
    await expect(lockFolder(target, 'train')).rejects.toThrow(/is not a spinettai lock/);
  });

  it('release leaves a lock that is no longer ours', async () => {
    const target = join(root, 'stolen');
    const lock = await lockFolder(target, 'train');
    writeFileSync(lock.file, 'someone else');
    await lock.release();
    expect(readFileSync(lock.file, 'utf8')).toBe('someone else');
  });
});
