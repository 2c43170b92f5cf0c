// The training loop end to end on a tiny GPT-2: determinism, outputs on disk, learning,
// crash + resume equality, refusals and the NaN stop.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '@spinettai/model/node';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointMismatchError, NonFiniteLossError } from './errors.js';
import { readMetrics } from './metrics.js';
import type { TrainOptions } from './options.js';
import { noiseTokens, removeTempDirs, tempDir, writeDataset } from './test-utils/dataset.js';

afterAll(removeTempDirs);

import { deriveSeed } from './rng.js';
import { train } from './train.js';

const model = { blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 };
const dataDir = writeDataset(tempDir(), noiseTokens(600, 32, 1), noiseTokens(200, 32, 2), 260);
const base = (outDir: string): TrainOptions => ({
  dataDir,
  outDir,
  model,
  batchSize: 4,
  steps: 8,
  lr: 1e-2,
  warmupSteps: 2,
  dropout: 0.1,
  evalEvery: 4,
  evalBatches: 2,
  saveEvery: 4,
  seed: 7,
  threads: 1,
});
const losses = (outDir: string) => readMetrics(join(outDir, 'metrics.jsonl')).map((r) => r.train_loss);

describe('deriveSeed', () => {
  it('gives a deterministic 31-bit dropout seed per (seed, step)', () => {
    expect(deriveSeed(5, 10)).toBe(deriveSeed(5, 10));
    expect(deriveSeed(5, 10)).not.toBe(deriveSeed(5, 20));
    expect(deriveSeed(6, 10)).not.toBe(deriveSeed(5, 10));
    for (let step = 0; step < 100; step++) {
      const s = deriveSeed(1337, step);
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    }
  });
});

describe('train', () => {
  it('is deterministic by seed and writes metrics.jsonl, loss.svg and checkpoints', async () => {
    const a = tempDir();
    const b = tempDir();
    const steps: number[] = [];
    const summary = await train(base(a), { onStep: (s) => steps.push(s.step) });
    await train(base(b));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(losses(a)).toHaveLength(8);
    expect(losses(b)).toEqual(losses(a));
    const recs = readMetrics(join(a, 'metrics.jsonl'));
    expect(Object.keys(recs[0]!).sort()).toEqual([
      'elapsed_s',
      'grad_norm',
      'lr',
      'step',
      'tokens_per_s',
      'train_loss',
      'val_loss',
    ]);
    expect(recs.filter((r) => r.val_loss !== null).map((r) => r.step)).toEqual([4, 8]);
    expect(readFileSync(join(a, 'loss.svg'), 'utf8')).toMatch(/^<svg/);
    const state = JSON.parse(readFileSync(join(a, 'checkpoints/last/trainer_state.json'), 'utf8'));
    expect(state.step).toBe(8);
    expect(existsSync(join(a, 'checkpoints/last/optimizer.safetensors'))).toBe(true);
    expect(existsSync(join(a, 'checkpoints/best/trainer_state.json'))).toBe(true);
    const ck = await loadCheckpoint(join(a, 'checkpoints/last'));
    expect(ck.config.nLayer).toBe(1);
    expect(summary.step).toBe(8);
    expect(summary.bestValLoss).not.toBeNull();
    // A different seed gives different losses.
    const c = tempDir();
    await train({ ...base(c), seed: 8 });
    expect(losses(c)).not.toEqual(losses(a));
  });

  it('resumes after a crash with exactly the losses of an uninterrupted run (dropout on)', async () => {
    const full = tempDir();
    await train({ ...base(full), steps: 12, saveEvery: 5 });
    const crashed = tempDir();
    await expect(
      train(
        { ...base(crashed), steps: 12, saveEvery: 5 },
        {
          onStep: (s) => {
            if (s.step === 7) throw new Error('simulated crash');
          },
        },
      ),
    ).rejects.toThrow('simulated crash');
    const summary = await train({ ...base(crashed), steps: 12, saveEvery: 5, resume: true });
    expect(summary.step).toBe(12);
    expect(losses(crashed)).toEqual(losses(full));
    expect(readMetrics(join(crashed, 'metrics.jsonl')).map((r) => r.step)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });

  it('refuses to resume with a different tokenizer or model shape', async () => {
    const out = tempDir();
    await train({ ...base(out), steps: 2, saveEvery: 2 });
    const otherTok = writeDataset(tempDir(), noiseTokens(600, 32, 1), noiseTokens(200, 32, 2), 260, 'other');
    await expect(train({ ...base(out), dataDir: otherTok, resume: true })).rejects.toThrow(
      CheckpointMismatchError,
    );
    await expect(train({ ...base(out), dataDir: otherTok, resume: true })).rejects.toThrow(/tokenizer/);
    await expect(train({ ...base(out), model: { ...model, nLayer: 2 }, resume: true })).rejects.toThrow(
      /shape differs \(nLayer 2/,
    );
    await expect(train({ ...base(tempDir()), resume: true })).rejects.toThrow(/no checkpoint to resume/);
  });

  it('stops with NonFiniteLossError naming the step and keeps the last good checkpoint', async () => {
    const out = tempDir();
    await train({ ...base(out), steps: 2, saveEvery: 2 });
    const err = await train({
      ...base(out),
      steps: 8,
      lr: 1e30,
      minLr: 1e30,
      warmupSteps: 0,
      gradClip: 0,
      resume: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    const e = err as NonFiniteLossError;
    expect(e.step).toBeGreaterThan(2);
    expect(e.message).toContain(`step ${e.step}`);
    expect(e.message).toContain(join(out, 'checkpoints/last'));
    const state = JSON.parse(readFileSync(join(out, 'checkpoints/last/trainer_state.json'), 'utf8'));
    expect(state.step).toBe(2);
  });

  it('learns a trivially learnable sequence: loss < 0.1 nats (uniform is ln 260 ≈ 5.56)', async () => {
    const cycle = Array.from({ length: 800 }, (_, i) => 2 + (i % 16));
    const dir = writeDataset(tempDir(), cycle, cycle.slice(0, 200), 260);
    const warnings: string[] = [];
    const s = await train(
      { ...base(tempDir()), dataDir: dir, steps: 120, lr: 1e-2, dropout: 0, evalEvery: 40, saveEvery: 1000 },
      { onWarning: (m) => warnings.push(m) },
    );
    expect(s.valLoss!).toBeLessThan(0.1);
    expect(s.trainLoss!).toBeLessThan(0.1);
  });

  it('warns when validation loss rises while training loss falls', async () => {
    // Train counts up (t → t+1), validation counts down: learning the first hurts the second.
    const up = Array.from({ length: 800 }, (_, i) => 2 + (i % 16));
    const down = Array.from({ length: 200 }, (_, i) => 17 - (i % 16));
    const dir = writeDataset(tempDir(), up, down, 260);
    const warnings: string[] = [];
    await train(
      { ...base(tempDir()), dataDir: dir, steps: 40, dropout: 0, evalEvery: 5, saveEvery: 1000 },
      { onWarning: (m) => warnings.push(m) },
    );
    expect(warnings.some((w) => /validation loss has risen/.test(w))).toBe(true);
  });

  it('fine-tunes from a checkpoint with initFrom and refuses a different vocabulary', async () => {
    const cycle = Array.from({ length: 800 }, (_, i) => 2 + (i % 16));
    const dir = writeDataset(tempDir(), cycle, cycle.slice(0, 200), 260);
    const pre = tempDir();
    await train({ ...base(pre), dataDir: dir, steps: 40, dropout: 0, evalEvery: 20 });
    const tuned = tempDir();
    await train({
      ...base(tuned),
      dataDir: dir,
      steps: 2,
      dropout: 0,
      initFrom: join(pre, 'checkpoints/last'),
    });
    const fresh = tempDir();
    await train({ ...base(fresh), dataDir: dir, steps: 2, dropout: 0 });
    expect(losses(tuned)[0]!).toBeLessThan(losses(fresh)[0]! / 2);
    expect(JSON.parse(readFileSync(join(tuned, 'checkpoints/last/trainer_state.json'), 'utf8')).step).toBe(2);
    const bigVocab = writeDataset(tempDir(), cycle, cycle.slice(0, 200), 264);
    await expect(
      train({ ...base(tempDir()), dataDir: bigVocab, initFrom: join(pre, 'checkpoints/last') }),
    ).rejects.toThrow(/vocabulary has 260 tokens, the dataset 264/);
  });

  it('gives the same run with gradient accumulation under both optimizer variants', async () => {
    const a = tempDir();
    const b = tempDir();
    await train({ ...base(a), batchSize: 2, gradAccum: 2, steps: 4, dropout: 0 });
    await train({ ...base(b), batchSize: 2, gradAccum: 2, steps: 4, dropout: 0, optimizer: 'separate' });
    const la = losses(a);
    const lb = losses(b);
    expect(la).toHaveLength(4);
    for (const [i, x] of la.entries()) expect(lb[i]!).toBeCloseTo(x, 5);
  });

  it('stops at the time budget with an evaluation and a checkpoint', async () => {
    const out = tempDir();
    const s = await train({
      ...base(out),
      steps: 100000,
      maxTimeSeconds: 0.5,
      evalEvery: 100000,
      saveEvery: 100000,
    });
    expect(s.stoppedBy).toBe('time');
    expect(s.step).toBeGreaterThan(0);
    expect(s.step).toBeLessThan(100000);
    expect(s.valLoss).not.toBeNull();
    expect(JSON.parse(readFileSync(join(out, 'checkpoints/last/trainer_state.json'), 'utf8')).step).toBe(
      s.step,
    );
  });

  it('stops cleanly when its abort signal fires', async () => {
    const out = tempDir();
    const ac = new AbortController();
    const s = await train(
      { ...base(out), steps: 50, signal: ac.signal },
      { onStep: (i) => i.step === 3 && ac.abort() },
    );
    expect(s.stoppedBy).toBe('signal');
    expect(s.step).toBe(3);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints/last/trainer_state.json'), 'utf8')).step).toBe(3);
  });

  it('warns when the corpus is smaller than a few batches', async () => {
    const dir = writeDataset(tempDir(), noiseTokens(60, 32, 3), noiseTokens(40, 32, 4), 260);
    const warnings: string[] = [];
    await train({ ...base(tempDir()), dataDir: dir, steps: 1 }, { onWarning: (m) => warnings.push(m) });
    expect(warnings.some((w) => /train.bin has only 60 tokens/.test(w))).toBe(true);
  });
});
