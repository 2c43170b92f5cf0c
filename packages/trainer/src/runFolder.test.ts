// issue 12, data loss 1, 3, 4: a run folder is checked before step 1. An existing run is
// refused without `resume` / `overwrite`; a user's files are never written over; a kill
// between the renames of a checkpoint swap is repaired when the run is resumed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunFolderError, TrainOptionsError } from './errors.js';
import type { TrainOptions } from './options.js';
import { noiseTokens, removeTempDirs, tempDir, writeDataset } from './test-utils/dataset.js';
import { train } from './train.js';

afterAll(removeTempDirs);

const dataDir = writeDataset(tempDir(), noiseTokens(600, 32, 1), noiseTokens(200, 32, 2), 260);
const base = (outDir: string): TrainOptions => ({
  dataDir,
  outDir,
  model: { blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 },
  batchSize: 4,
  steps: 4,
  lr: 1e-2,
  warmupSteps: 1,
  evalEvery: 2,
  evalBatches: 2,
  saveEvery: 2,
  seed: 7,
  threads: 1,
});
const read = (p: string) => readFileSync(p);
/** Runs `train` and counts the steps it took before failing or finishing. */
const stepsTaken = async (o: TrainOptions): Promise<{ steps: number; error: unknown }> => {
  let steps = 0;
  const error = await train(o, { onStep: () => void steps++ }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { steps, error };
};

describe('run folder', () => {
  it('refuses to start a new run over an existing one; overwrite replaces only its own files', async () => {
    const out = tempDir();
    await train(base(out));
    writeFileSync(join(out, 'NOTES.md'), 'my notes');
    const metrics = read(join(out, 'metrics.jsonl'));
    const best = read(join(out, 'checkpoints/best/model.safetensors'));

    const { steps, error } = await stepsTaken({ ...base(out), seed: 8 });
    expect(error).toBeInstanceOf(RunFolderError);
    expect((error as Error).message).toMatch(
      /already holds a training run \(metrics\.jsonl, loss\.svg, checkpoints\); use `resume` to continue it or `overwrite` to replace it/,
    );
    expect(steps).toBe(0);
    expect(read(join(out, 'metrics.jsonl')).equals(metrics)).toBe(true);
    expect(read(join(out, 'checkpoints/best/model.safetensors')).equals(best)).toBe(true);

    const summary = await train({ ...base(out), seed: 8, overwrite: true });
    expect(summary.step).toBe(4);
    expect(read(join(out, 'metrics.jsonl')).equals(metrics)).toBe(false);
    expect(readFileSync(join(out, 'NOTES.md'), 'utf8')).toBe('my notes');
    expect(existsSync(join(out, '..', `.${basename(out)}.lock`))).toBe(false);
  });

  it("never writes over a user's metrics.jsonl / loss.svg, with or without overwrite", async () => {
    const out = tempDir();
    writeFileSync(join(out, 'metrics.jsonl'), 'user data\n');
    writeFileSync(join(out, 'loss.svg'), '<svg/>');
    for (const overwrite of [false, true]) {
      const { steps, error } = await stepsTaken({ ...base(out), overwrite });
      expect(error).toBeInstanceOf(RunFolderError);
      expect((error as Error).message).toMatch(
        /holds metrics\.jsonl, loss\.svg, which spinettai did not write/,
      );
      expect(steps).toBe(0);
    }
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe('user data\n');
    expect(readdirSync(out).sort()).toEqual(['loss.svg', 'metrics.jsonl']);
  });

  it('refuses a run whose checkpoints/best holds other files before step 1, not after training', async () => {
    const out = tempDir();
    await train(base(out));
    const best = join(out, 'checkpoints/best');
    writeFileSync(join(best, '.spinettai.json'), '{}'); // no longer this tool's marker
    writeFileSync(join(best, 'mine.txt'), 'x');
    const { steps, error } = await stepsTaken({ ...base(out), steps: 6, resume: true });
    expect((error as Error).message).toMatch(
      /checkpoints\/best: is a non-empty folder that spinettai did not write/,
    );
    expect(steps).toBe(0);
  });

  it('a kill between the two renames of the best swap is repaired on --resume', async () => {
    const out = tempDir();
    await train(base(out));
    const ck = join(out, 'checkpoints');
    const before = read(join(ck, 'best/model.safetensors'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    // What a SIGKILL leaves after `best → .best.old-*` and before `.best.new-* → best`:
    renameSync(join(ck, 'best'), join(ck, `.best.old-${dead}-ab`));
    mkdirSync(join(ck, `.best.tmp-${dead}-cd`)); // and a half-built folder of a later save
    const summary = await train({ ...base(out), steps: 4, resume: true });
    expect(summary.bestCheckpoint).toBe(join(ck, 'best'));
    expect(read(join(ck, 'best/model.safetensors')).equals(before)).toBe(true);
    expect(readdirSync(ck).sort()).toEqual(['best', 'last']);
  });

  it('refuses resume with overwrite, and overwrite that would delete the initFrom checkpoint', async () => {
    const out = tempDir();
    await train(base(out));
    await expect(train({ ...base(out), resume: true, overwrite: true })).rejects.toThrow(TrainOptionsError);
    await expect(
      train({ ...base(out), overwrite: true, initFrom: join(out, 'checkpoints/best') }),
    ).rejects.toThrow(/`initFrom` .*best is inside the run that `overwrite` would delete/);
    expect(existsSync(join(out, 'checkpoints/best/model.safetensors'))).toBe(true);
  });
});
