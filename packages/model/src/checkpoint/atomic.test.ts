// Output folders: replaced only when this tool marked them, and every state a kill
// can leave inside a swap (.tmp-*, .new-*, .old-*) repaired by recoverDir.

import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MARKER_FILE, OutputFolderError, readMarker, recoverDir, replaceDirAtomic } from './atomic.js';

const root = mkdtempSync(join(tmpdir(), 'spinettai-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number;

const write = (text: string) => async (tmp: string) => writeFileSync(join(tmp, 'a.txt'), text);
const leftovers = (name: string) => readdirSync(root).filter((n) => n.startsWith(`.${name}.`));

describe('replaceDirAtomic', () => {
  it('marks what it writes and replaces only folders with its own marker of the same kind', async () => {
    const dir = join(root, 'out');
    await replaceDirAtomic(dir, 'export', write('1'));
    expect(await readMarker(dir)).toBe('export');
    await replaceDirAtomic(dir, 'export', write('2'));
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('2');
    await expect(replaceDirAtomic(dir, 'checkpoint', write('3'))).rejects.toThrow(
      /out: is a spinettai export folder, not the checkpoint folder expected here; refusing/,
    );

    const user = join(root, 'user');
    mkdirSync(join(user, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'README.md']) writeFileSync(join(user, f), 'mine');
    const err = await replaceDirAtomic(user, 'export', write('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputFolderError);
    expect((err as Error).message).toMatch(/user: is a non-empty folder that spinettai did not write/);
    expect(readdirSync(user).sort()).toEqual(['README.md', 'config.json', 'onnx']);
    expect(leftovers('user')).toEqual([]);
  });

  it('a failing build leaves the old folder and no temp folder', async () => {
    const dir = join(root, 'fail');
    await replaceDirAtomic(dir, 'run', write('old'));
    await expect(
      replaceDirAtomic(dir, 'run', async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old');
    expect(leftovers('fail')).toEqual([]);
  });
});

describe('recoverDir', () => {
  /** Builds `name` with content `text` as a finished folder of kind 'checkpoint'. */
  const folder = async (name: string, text: string) => {
    await replaceDirAtomic(join(root, name), 'checkpoint', write(text));
    return join(root, name);
  };

  it('killed between the two renames: finishes the swap when the new folder is complete', async () => {
    const dir = await folder('best', 'old');
    const fresh = await folder('fresh', 'new');
    const pid = deadPid();
    renameSync(dir, join(root, `.best.old-${pid}-0a`));
    renameSync(fresh, join(root, `.best.new-${pid}-0a`));
    expect(await recoverDir(dir)).toBe('finished');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('new');
    expect(leftovers('best')).toEqual([]);
  });

  it('killed after moving the old folder aside, before a complete new one: restores the old one', async () => {
    const dir = await folder('last', 'old');
    const pid = deadPid();
    renameSync(dir, join(root, `.last.old-${pid}-0b`));
    mkdirSync(join(root, `.last.tmp-${pid}-0c`)); // a half-built folder of another swap
    expect(await recoverDir(dir)).toBe('restored');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old');
    expect(leftovers('last')).toEqual([]);
  });

  it('killed while building or after the swap: deletes the leftovers, keeps the folder', async () => {
    const dir = await folder('keep', 'current');
    const pid = deadPid();
    mkdirSync(join(root, `.keep.tmp-${pid}-0d`));
    mkdirSync(join(root, `.keep.old-${pid}-0e`));
    expect(await recoverDir(dir)).toBe('none');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('current');
    expect(leftovers('keep')).toEqual([]);
  });

  it("leaves a live writer's folders alone", async () => {
    const dir = join(root, 'busy');
    const live = join(root, `.busy.tmp-${process.pid}-0f`);
    mkdirSync(live);
    expect(await recoverDir(dir)).toBe('none');
    expect(leftovers('busy')).toEqual([`.busy.tmp-${process.pid}-0f`]);
    rmSync(live, { recursive: true });
  });

  it('the marker is a small JSON file that names the kind', () => {
    const m = JSON.parse(readFileSync(join(root, 'out', MARKER_FILE), 'utf8'));
    expect(m).toEqual({ format: 'spinettai-output', version: 1, kind: 'export' });
  });
});
