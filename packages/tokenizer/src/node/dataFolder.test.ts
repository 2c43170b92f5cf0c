// The data folder as one unit: refusal of folders spinettai did not write, recovery
// from a kill between the swap's renames, the lock against a second writer (with a
// real process and a real SIGKILL), and the health check that `info` relies on.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDatasetMeta, verifyDatasetFolder } from '../dataset.js';
import { DatasetError } from '../errors.js';
import { syntheticSongs } from '../test-utils/corpus.js';
import { tokenizeCorpus } from '../tokenizeCorpus.js';

const root = mkdtempSync(join(tmpdir(), 'spinettai-datafolder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const songs = (seed: number) =>
  syntheticSongs(20, seed, 6).map((lyrics, i) => ({ title: `t${i}`, artist: 'X', lyrics }));
const tokenize = (outDir: string, seed = 1, overwrite = false) =>
  tokenizeCorpus({ songs: songs(seed), outDir, vocabSize: 300, valFraction: 0.2, seed: 3, overwrite });

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;

describe('data folder', () => {
  it('refuses a folder holding files spinettai did not write, and names it', async () => {
    const dir = join(root, 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.md'), 'keep me');
    writeFileSync(join(dir, 'train.bin'), 'my own');
    const err = await tokenize(dir, 1, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/mine holds files spinettai did not write .*notes\.md.*refusing/);
    expect(readdirSync(dir).sort()).toEqual(['notes.md', 'train.bin']);
    expect(readFileSync(join(dir, 'train.bin'), 'utf8')).toBe('my own');
  });

  it('replaces its own folder whole, leaving no temp, old or lock files', async () => {
    const dir = join(root, 'own');
    await tokenize(dir, 1);
    const first = readFileSync(join(dir, 'train.bin'));
    await expect(tokenize(dir, 2)).rejects.toThrow(
      /own holds an earlier data folder; use `overwrite` to replace it/,
    );
    expect(readFileSync(join(dir, 'train.bin')).equals(first)).toBe(true);
    await tokenize(dir, 2, true);
    expect(readFileSync(join(dir, 'train.bin')).equals(first)).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('.own'))).toEqual([]);
    await verifyDatasetFolder(dir);
  });

  it('a kill between the renames is repaired on the next read: finished when the new folder is complete', async () => {
    const dir = join(root, 'swap');
    const fresh = join(root, 'fresh');
    await tokenize(dir, 1);
    await tokenize(fresh, 2);
    const newMeta = readFileSync(join(fresh, 'meta.json'), 'utf8');
    const pid = deadPid();
    // The state a kill leaves after `swap → .swap.old-*`, before `.swap.new-* → swap`.
    renameSync(dir, join(root, `.swap.old-${pid}-aa`));
    renameSync(fresh, join(root, `.swap.new-${pid}-aa`));
    mkdirSync(join(root, `.swap.tmp-${pid}-bb`));
    const meta = await readDatasetMeta(dir);
    expect(meta.tokenizer_sha256).toBe(JSON.parse(newMeta).tokenizer_sha256);
    await verifyDatasetFolder(dir);
    expect(readdirSync(root).filter((n) => n.startsWith('.swap'))).toEqual([]);
  });

  it('…and restores the old folder when no complete new one exists', async () => {
    const dir = join(root, 'undo');
    await tokenize(dir, 1);
    const before = readFileSync(join(dir, 'meta.json'), 'utf8');
    const pid = deadPid();
    renameSync(dir, join(root, `.undo.old-${pid}-cc`));
    mkdirSync(join(root, `.undo.tmp-${pid}-cc`));
    await readDatasetMeta(dir);
    expect(readFileSync(join(dir, 'meta.json'), 'utf8')).toBe(before);
    expect(readdirSync(root).filter((n) => n.startsWith('.undo'))).toEqual([]);
    await tokenize(dir, 2, true); // and the folder is replaceable as usual
    expect(readFileSync(join(dir, 'meta.json'), 'utf8')).not.toBe(before);
  });

  it('a second writer is refused naming the live pid; a lock left by a killed process is taken over', async () => {
    const dir = join(root, 'locked');
    const holder: ChildProcess = spawn('sleep', ['60']);
    await new Promise((r) => holder.once('spawn', r));
    const lockFile = join(root, '.locked.lock');
    const start = readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
    writeFileSync(
      lockFile,
      JSON.stringify({
        format: 'spinettai-lock',
        pid: holder.pid,
        hostname: hostname(),
        proc_start: start.slice(start.lastIndexOf(')') + 2).split(' ')[19],
        started_at: new Date().toISOString(),
        command: 'tokenize',
        token: 'x',
      }),
    );
    try {
      await expect(tokenize(dir)).rejects.toThrow(
        new RegExp(`in use by another spinettai process \\(pid ${holder.pid} on `),
      );
      expect(readdirSync(root).filter((n) => n.startsWith('locked'))).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    await tokenize(dir);
    await verifyDatasetFolder(dir);
    expect(readdirSync(root).filter((n) => n.startsWith('.locked'))).toEqual([]);
  });

  it('verifyDatasetFolder refuses a new tokenizer.json beside old .bin files', async () => {
    const [a, b] = [join(root, 'va'), join(root, 'vb')];
    await tokenize(a, 1);
    await tokenize(b, 2);
    writeFileSync(join(a, 'tokenizer.json'), readFileSync(join(b, 'tokenizer.json')));
    await expect(verifyDatasetFolder(a)).rejects.toThrow(
      /tokenizer\.json is not the tokenizer meta\.json was encoded with/,
    );
    writeFileSync(join(b, 'val.bin'), 'xx');
    await expect(verifyDatasetFolder(b)).rejects.toThrow(/val\.bin has 2 bytes, but meta\.json says/);
  });
});
