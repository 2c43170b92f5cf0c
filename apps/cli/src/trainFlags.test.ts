// Every `spinettai train` flag reaches the run: the built binary trains a tiny model with a
// non-default value of each flag, and trainer_state.json / config.json must record them.
// Also: --help shows the trainer's own defaults, the library's messages come back with
// flag names, and `info` reports damaged checkpoints as damaged (exit 1, one line).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAIN_DEFAULTS } from '@spinettai/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../data/demo-corpus.jsonl', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-train-flags-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const spinettaiLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('spinettai:'));

const data = join(work, 'data');
const run = join(work, 'run');

/** A non-default value for every flag of `train` (the shape flags, then the rest). */
const FLAGS: Record<string, string> = {
  '--layers': '1',
  '--embd': '16',
  '--heads': '2',
  '--block': '16',
  '--batch': '3',
  '--grad-accum': '2',
  '--steps': '4',
  '--max-time': '1h',
  '--lr': '0.005',
  '--min-lr': '0.0004',
  '--warmup': '1',
  '--weight-decay': '0.05',
  '--grad-clip': '0.5',
  '--dropout': '0.25',
  '--eval-every': '2',
  '--eval-batches': '3',
  '--save-every': '2',
  '--seed': '42',
  '--threads': '1',
  '--optimizer': 'separate',
};

beforeAll(() => {
  const t = cli([
    'tokenize',
    '--corpus',
    CORPUS,
    '--out',
    data,
    '--vocab-size',
    '300',
    '--val-fraction',
    '0.2',
  ]);
  expect(t.code, t.stderr).toBe(0);
});

describe('spinettai train: every flag reaches the run', () => {
  it('records a non-default value of each flag', () => {
    const r = cli(['train', '--data', data, '--out', run, ...Object.entries(FLAGS).flat()]);
    expect(r.code, r.stderr).toBe(0);
    const state = json(join(run, 'checkpoints/last/trainer_state.json'));
    const config = json(join(run, 'checkpoints/last/config.json'));
    expect(state.step).toBe(4);
    expect(state.config).toMatchObject({ n_layer: 1, n_embd: 16, n_head: 2, block_size: 16, dropout: 0.25 });
    expect(config).toMatchObject({ n_layer: 1, n_embd: 16, n_head: 2, n_positions: 16, resid_pdrop: 0.25 });
    expect(state.optimizer_mode).toBe('separate');
    expect(state.train_options).toMatchObject({
      batch_size: 3,
      grad_accum: 2,
      steps: 4,
      lr: 0.005,
      min_lr: 0.0004,
      warmup_steps: 1,
      weight_decay: 0.05,
      grad_clip: 0.5,
      dropout: 0.25,
      eval_every: 2,
      eval_batches: 3,
      save_every: 2,
      seed: 42,
      optimizer: 'separate',
      init_from: null,
      allow_tokenizer_mismatch: false,
      max_time_s: 3600,
      threads: 1,
    });
    // --data: the run's tokenizer is the data folder's.
    const meta = json(join(data, 'meta.json'));
    expect(state.tokenizer_sha256).toBe(meta.tokenizer_sha256);
    expect(r.stdout).toMatch(/dropout 0\.25/);
  });

  it('--resume continues the run with the checkpoint shape', () => {
    const r = cli(['train', '--data', data, '--out', run, '--resume', '--steps', '6', '--batch', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(join(run, 'checkpoints/last/trainer_state.json')).step).toBe(6);
    expect(r.stdout).toMatch(/trained 6\/6 steps/);
  });

  it('--init-from refuses another tokenizer unless --allow-tokenizer-mismatch', () => {
    // Another tokenizer of the same size: trained on half the songs.
    const half = join(work, 'half.jsonl');
    const songs = readFileSync(CORPUS, 'utf8').trim().split('\n');
    writeFileSync(half, `${songs.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    const other = join(work, 'data-other');
    const t = cli([
      'tokenize',
      '--corpus',
      half,
      '--out',
      other,
      '--vocab-size',
      '300',
      '--val-fraction',
      '0.2',
    ]);
    expect(t.code, t.stderr).toBe(0);
    expect(json(join(other, 'meta.json')).tokenizer_sha256).not.toBe(
      json(join(data, 'meta.json')).tokenizer_sha256,
    );
    const from = join(run, 'checkpoints/last');
    const common = [
      '--data',
      other,
      '--init-from',
      from,
      '--steps',
      '2',
      '--batch',
      '2',
      '--eval-batches',
      '1',
    ];
    const refused = cli(['train', ...common, '--out', join(work, 'tuned-refused')]);
    expect(refused.code).toBe(1);
    expect(spinettaiLines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toMatch(/tokenizer .*differs.*--allow-tokenizer-mismatch/);
    const tuned = join(work, 'tuned');
    const ok = cli(['train', ...common, '--out', tuned, '--allow-tokenizer-mismatch']);
    expect(ok.code, ok.stderr).toBe(0);
    const state = json(join(tuned, 'checkpoints/last/trainer_state.json'));
    expect(state.train_options.init_from).toBe(from);
    expect(state.train_options.allow_tokenizer_mismatch).toBe(true);
    expect(state.config.n_layer).toBe(1); // the checkpoint's shape, not the default
  });
});

describe('spinettai train: help and messages', () => {
  it('--help shows the trainer defaults', () => {
    const help = cli(['train', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      `--save-every <steps> save checkpoints/last every N steps (default: ${TRAIN_DEFAULTS.saveEvery})`,
    );
    expect(help).toContain(`(default: ${TRAIN_DEFAULTS.dropout})`);
    expect(help).toContain(`--layers <n> transformer blocks (default: ${TRAIN_DEFAULTS.model.nLayer})`);
    expect(help).toContain('--allow-tokenizer-mismatch');
  });

  it('a train.bin shorter than one window names --block', () => {
    const small = join(work, 'data-small');
    cpSync(data, small, { recursive: true });
    const meta = json(join(small, 'meta.json'));
    meta.splits.train.tokens = 5;
    writeFileSync(join(small, 'meta.json'), JSON.stringify(meta));
    truncateSync(join(small, 'train.bin'), 5 * 2);
    const r = cli([
      'train',
      '--data',
      small,
      '--out',
      join(work, 'run-small'),
      '--block',
      '16',
      '--steps',
      '1',
    ]);
    expect(r.code).toBe(1);
    expect(spinettaiLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/smaller --block\b/);
    expect(r.stderr).not.toMatch(/--block-size|blockSize/);
  });
});

describe('spinettai info on damaged folders', () => {
  const copy = (name: string) => {
    const dir = join(work, name);
    cpSync(join(run, 'checkpoints/last'), dir, { recursive: true });
    return dir;
  };

  it('reports a truncated checkpoint with exit 1', () => {
    const dir = copy('ck-truncated');
    const weights = join(dir, 'model.safetensors');
    truncateSync(weights, Math.floor(readFileSync(weights).length / 2));
    const r = cli(['info', dir]);
    expect(r.code).toBe(1);
    expect(spinettaiLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/model\.safetensors/);
    expect(r.stderr).not.toMatch(/looks like a bug/);
  });

  it.each([
    ['garbage', '{"n_layer": '],
    ['null', 'null'],
  ])('reports a %s config.json in one line', (_what, text) => {
    const dir = copy(`ck-config-${_what}`);
    writeFileSync(join(dir, 'config.json'), text);
    const r = cli(['info', dir]);
    expect(r.code).toBe(1);
    expect(spinettaiLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/config\.json/);
    expect(r.stderr).not.toMatch(/looks like a bug/);
  });

  it('refuses a trainer_state.json claiming step 1e12', () => {
    const dir = copy('ck-step');
    const path = join(dir, 'trainer_state.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"step": \d+/, '"step": 1000000000000'));
    const r = cli(['info', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/1000000000000/);
    expect(r.stderr).toMatch(/trainer_state\.json: field "step"/);
  });

  it('describes a sound checkpoint with its step and best loss', () => {
    const dir = join(run, 'checkpoints/last');
    const { step, train_options } = json(join(dir, 'trainer_state.json'));
    const r = cli(['info', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`step: ${step} of ${train_options.steps}`);
    expect(r.stdout).toMatch(/best validation loss: \d/);
  });
});
