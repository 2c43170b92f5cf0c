// LoRA and full fine-tuning from a checkpoint: the base stays byte-identical, only A and B
// train (no moments for the base), checkpoints are PEFT adapter folders, a resume is
// bit-identical to an uninterrupted run, and a smaller block than n_positions works.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initParams, validateConfig } from '@spinettai/model';
import {
  encodeSafetensors,
  loadModelWeights,
  readSafetensorsFile,
  saveCheckpoint,
} from '@spinettai/model/node';
import { tokenizeCorpus } from '@spinettai/tokenizer/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetrics } from './metrics.js';
import type { TrainOptions } from './options.js';
import { noiseTokens, removeTempDirs, tempDir, tinyTokenizer, writeDataset } from './test-utils/dataset.js';
import { train } from './train.js';

afterAll(removeTempDirs);

const dataDir = writeDataset(tempDir(), noiseTokens(800, 40, 1), noiseTokens(200, 40, 2), 260);
const opts = (outDir: string): TrainOptions => ({
  dataDir,
  outDir,
  batchSize: 4,
  steps: 6,
  lr: 1e-2,
  warmupSteps: 1,
  dropout: 0.1,
  evalEvery: 3,
  evalBatches: 2,
  saveEvery: 3,
  seed: 3,
  threads: 1,
});
let baseDir = '';
const hashes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );

beforeAll(async () => {
  // The "pretrained" model: 16 positions, fine-tuned below at a block of 8.
  const pre = tempDir();
  await train({ ...opts(pre), model: { blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 }, steps: 4 });
  baseDir = join(pre, 'checkpoints/last');
}, 60_000);

describe('train with lora', () => {
  const lora = { rank: 4, alpha: 8, targets: ['c_attn', 'mlp.c_proj'], dropout: 0.1 };

  it('trains only A and B, leaves the base byte-identical and writes adapter folders', async () => {
    const before = hashes(baseDir);
    const out = tempDir();
    const s = await train({ ...opts(out), initFrom: baseDir, model: { blockSize: 8 }, lora });
    expect(s.step).toBe(6);
    expect(hashes(baseDir)).toEqual(before);
    const last = join(out, 'checkpoints/last');
    expect(readdirSync(last).sort()).toEqual(
      expect.arrayContaining([
        'adapter_config.json',
        'adapter_model.safetensors',
        'optimizer.safetensors',
        'tokenizer.json',
        'trainer_state.json',
      ]),
    );
    expect(readdirSync(last)).not.toContain('model.safetensors');
    const cfg = JSON.parse(readFileSync(join(last, 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, base_model_name_or_path: baseDir });
    // The optimizer holds moments of the 2 layers × 2 targets × (A, B) only.
    const { tensors } = await readSafetensorsFile(join(last, 'optimizer.safetensors'));
    const names = [...tensors.keys()];
    expect(names).toHaveLength(2 * 2 * 2 * 2);
    expect(names.every((n) => /\.lora_[AB]\.weight$/.test(n))).toBe(true);
    // B moved away from zero, so the merged model differs from the base.
    const merged = await loadModelWeights(last);
    const plain = await loadModelWeights(baseDir);
    expect(merged.adapter?.lora.rank).toBe(4);
    const w = 'transformer.h.0.attn.c_attn.weight';
    expect(merged.params.get(w)!.data).not.toEqual(plain.params.get(w)!.data);
    const untouched = 'transformer.h.0.attn.c_proj.weight';
    expect(merged.params.get(untouched)!.data).toEqual(plain.params.get(untouched)!.data);
    expect(merged.config.blockSize).toBe(16); // the base's config; the run trained at 8
    const state = JSON.parse(readFileSync(join(last, 'trainer_state.json'), 'utf8'));
    expect(state.config.block_size).toBe(8);
  }, 60_000);

  it('resumes a LoRA run bit-identically (adapter and moments)', async () => {
    const full = tempDir();
    await train({ ...opts(full), initFrom: baseDir, model: { blockSize: 8 }, lora });
    const cut = tempDir();
    const ctl = new AbortController();
    const first = await train(
      { ...opts(cut), initFrom: baseDir, model: { blockSize: 8 }, lora, signal: ctl.signal },
      { onStep: (s) => (s.step === 3 ? ctl.abort() : undefined) },
    );
    expect(first.step).toBe(3);
    await train({ ...opts(cut), resume: true });
    for (const f of ['adapter_model.safetensors', 'optimizer.safetensors'])
      expect(readFileSync(join(cut, 'checkpoints/last', f))).toEqual(
        readFileSync(join(full, 'checkpoints/last', f)),
      );
    const losses = (d: string) => readMetrics(join(d, 'metrics.jsonl')).map((r) => r.train_loss);
    expect(losses(cut)).toEqual(losses(full));
  }, 60_000);

  it('refuses to resume from optimizer moments that are not those of the trained tensors', async () => {
    const out = tempDir();
    await train({ ...opts(out), initFrom: baseDir, model: { blockSize: 8 }, lora, steps: 3 });
    const file = join(out, 'checkpoints/last/optimizer.safetensors');
    const { tensors } = await readSafetensorsFile(file);
    const wte = { dtype: 'float32' as const, dims: [260, 16], data: new Float32Array(260 * 16) };
    writeFileSync(file, encodeSafetensors(new Map([...tensors, ['exp_avg.transformer.wte.weight', wte]])));
    await expect(train({ ...opts(out), resume: true })).rejects.toThrow(
      /exp_avg\.transformer\.wte\.weight' is not the moment of a parameter/,
    );
  }, 60_000);

  it('refuses lora without initFrom, and a bad rank, naming the option', async () => {
    await expect(train({ ...opts(tempDir()), lora: { rank: 4 } })).rejects.toThrow(/`lora`.*initFrom/);
    await expect(train({ ...opts(tempDir()), initFrom: baseDir, lora: { rank: 0 } })).rejects.toThrow(
      /`lora\.rank`/,
    );
  });
});

describe('full fine-tune from a checkpoint', () => {
  it('trains at a block smaller than n_positions and keeps the wpe rows', async () => {
    const out = tempDir();
    await train({ ...opts(out), initFrom: baseDir, model: { blockSize: 8 }, steps: 2 });
    const ck = await loadModelWeights(join(out, 'checkpoints/last'));
    expect(ck.config.blockSize).toBe(8);
    expect(ck.config.nPositions).toBe(16);
    expect(ck.params.get('transformer.wpe.weight')!.dims).toEqual([16, 16]);
  }, 60_000);
});

describe('initFrom a Hub folder with only vocab.json + merges.txt', () => {
  it('accepts data tokenized with that tokenizer and refuses data of another one', async () => {
    const root = tempDir();
    const hub = join(root, 'hub');
    const cfg = validateConfig({ vocabSize: 260, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 });
    await saveCheckpoint(hub, { config: cfg, params: initParams(cfg, 1), bosTokenId: 0, eosTokenId: 0 });
    const bpe = tinyTokenizer(260);
    writeFileSync(
      join(hub, 'vocab.json'),
      JSON.stringify(Object.fromEntries(bpe.vocab.map((t, i) => [t, i]))),
    );
    const merges = bpe.merges.map(([a, b]) => `${a} ${b}`);
    writeFileSync(join(hub, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
    const songs = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        id: i,
        title: `s${i}`,
        artist: 'a',
        lyrics: `la noche ${i} cae sobre la ciudad y canta`,
      }),
    );
    writeFileSync(join(root, 'corpus.jsonl'), `${songs.join('\n')}\n`);
    const data = join(root, 'data');
    await tokenizeCorpus({ corpusPath: join(root, 'corpus.jsonl'), outDir: data, tokenizer: hub });
    const run = { ...opts(tempDir()), dataDir: data, batchSize: 2, steps: 1, evalBatches: 1 };
    await expect(train({ ...run, initFrom: hub })).resolves.toMatchObject({ step: 1 });
    const other = join(root, 'other');
    cpSync(hub, other, { recursive: true });
    writeFileSync(join(other, 'merges.txt'), `#version: 0.2\n${merges.reverse().join('\n')}\n`);
    await expect(train({ ...run, outDir: tempDir(), initFrom: other })).rejects.toThrow(/its tokenizer/);
  }, 60_000);
});
