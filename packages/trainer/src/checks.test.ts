// What train() checks before step 1, and how it treats its options and hooks: dropout set
// in one place reaches the run, the model's ConfigError comes back as the trainer's error,
// a bad data folder or checkpoint is refused before any step runs, async hooks are awaited.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '@spinettai/tokenizer';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointMismatchError, TrainerError, TrainOptionsError } from './errors.js';
import type { TrainOptions } from './options.js';
import { noiseTokens, removeTempDirs, tempDir, writeDataset } from './test-utils/dataset.js';
import { train } from './train.js';

afterAll(removeTempDirs);

const data = () => writeDataset(tempDir(), noiseTokens(600, 32, 1), noiseTokens(200, 32, 2), 260);
const dataDir = data();
const base = (outDir: string): TrainOptions => ({
  dataDir,
  outDir,
  model: { blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 },
  batchSize: 4,
  steps: 2,
  evalEvery: 2,
  evalBatches: 1,
  seed: 7,
  threads: 1,
});
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
/** Runs train and returns the error it rejects with, and how many steps ran before. */
async function failure(o: TrainOptions): Promise<{ err: unknown; steps: number }> {
  let steps = 0;
  const err = await train(o, { onStep: () => void steps++ }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err, steps };
}

describe('train options reach the run', () => {
  it('records the top-level dropout in trainer_state.json and config.json', async () => {
    const out = tempDir();
    const s = await train({ ...base(out), dropout: 0.25 });
    expect(s.config.dropout).toBe(0.25);
    expect(json(join(out, 'checkpoints/last/trainer_state.json')).config.dropout).toBe(0.25);
    expect(json(join(out, 'checkpoints/last/trainer_state.json')).train_options.dropout).toBe(0.25);
    expect(json(join(out, 'checkpoints/last/config.json')).resid_pdrop).toBe(0.25);
  });

  it('wraps the model ConfigError as a TrainOptionsError naming the option', async () => {
    const { err } = await failure({ ...base(tempDir()), model: { nEmbd: 30, nHead: 4 } });
    expect(err).toBeInstanceOf(TrainOptionsError);
    expect((err as TrainOptionsError).option).toBe('model.nEmbd');
    expect((err as Error).message).toMatch(/option `model.nEmbd`/);
  });

  it('awaits async hooks before the next step', async () => {
    const order: string[] = [];
    await train(base(tempDir()), {
      onStep: async (i) => {
        await new Promise((r) => setTimeout(r, 20));
        order.push(`step ${i.step} done`);
      },
      onEval: (e) => void order.push(`eval ${e.step}`),
    });
    expect(order).toEqual(['step 1 done', 'step 2 done', 'eval 2']);
  });
});

describe('abort', () => {
  it('an already aborted signal stops before the first step, like generation', async () => {
    const out = tempDir();
    let steps = 0;
    const s = await train({ ...base(out), signal: AbortSignal.abort() }, { onStep: () => void steps++ });
    expect(steps).toBe(0);
    expect(s.stoppedBy).toBe('signal');
    expect(s.step).toBe(0);
  });
});

describe('refused before step 1', () => {
  it('a data folder without tokenizer.json, or with an unparseable one', async () => {
    const noTok = data();
    rmSync(join(noTok, 'tokenizer.json'));
    const a = await failure({ ...base(tempDir()), dataDir: noTok });
    expect(a.err).toBeInstanceOf(DatasetError);
    expect((a.err as Error).message).toMatch(/tokenizer.json is missing/);
    expect(a.steps).toBe(0);
    const garbage = data();
    writeFileSync(join(garbage, 'tokenizer.json'), '{"model": ');
    const b = await failure({ ...base(tempDir()), dataDir: garbage });
    expect(b.err).toBeInstanceOf(DatasetError);
    expect((b.err as Error).message).toMatch(/tokenizer.json is not valid UTF-8 JSON/);
    expect(b.steps).toBe(0);
  });

  it('initFrom a checkpoint whose tokenizer differs, unless allowTokenizerMismatch', async () => {
    const pre = tempDir();
    await train(base(pre));
    const other = writeDataset(tempDir(), noiseTokens(600, 32, 1), noiseTokens(200, 32, 2), 260, 'other');
    const initFrom = join(pre, 'checkpoints/last');
    const { err, steps } = await failure({ ...base(tempDir()), dataDir: other, initFrom });
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect((err as Error).message).toMatch(/its tokenizer .* differs .*`allowTokenizerMismatch`/);
    expect(steps).toBe(0);
    const s = await train({ ...base(tempDir()), dataDir: other, initFrom, allowTokenizerMismatch: true });
    expect(s.step).toBe(2);
    const same = await train({ ...base(tempDir()), initFrom });
    expect(same.step).toBe(2);
  });

  it('resume from a garbage trainer_state.json, or one past the planned steps', async () => {
    const out = tempDir();
    await train({ ...base(out), steps: 4, saveEvery: 2 });
    const statePath = join(out, 'checkpoints/last/trainer_state.json');
    const good = readFileSync(statePath, 'utf8');
    const fewer = await failure({ ...base(out), steps: 3, resume: true });
    expect(fewer.err).toBeInstanceOf(CheckpointMismatchError);
    expect((fewer.err as Error).message).toMatch(/trained 4 steps, more than `steps` = 3/);
    writeFileSync(statePath, good.replace('"step": 4', '"step": 1000000000000'));
    const absurd = await failure({ ...base(out), steps: 6, resume: true });
    expect(absurd.err).toBeInstanceOf(TrainerError);
    expect((absurd.err as Error).message).toMatch(/field "step"/);
    writeFileSync(statePath, '{ not json');
    const garbage = await failure({ ...base(out), steps: 6, resume: true });
    expect(garbage.err).toBeInstanceOf(CheckpointMismatchError);
    expect((garbage.err as Error).message).toMatch(/trainer_state.json is not valid JSON/);
    expect((garbage.err as Error).message).not.toContain('\n');
    expect(garbage.steps).toBe(0);
  });
});
