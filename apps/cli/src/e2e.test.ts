// The whole pipeline through the built `spinettai` binary, as subprocesses:
// scrape (from a fake Genius server on 127.0.0.1) → tokenize → train (tiny) →
// export → generate → info, plus the errors a user meets between those steps.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeGenius, startFakeGenius } from '@spinettai/scraper/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-e2e-'));
let genius: FakeGenius;

beforeAll(async () => {
  genius = await startFakeGenius();
});
afterAll(async () => {
  await genius.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI asynchronously (the fake server lives in this process, so no spawnSync). */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const TINY = ['--layers', '1', '--embd', '16', '--heads', '2', '--block', '16', '--batch', '4'];

describe('scrape → tokenize → train → export → generate → info', () => {
  const corpus = join(work, 'corpus.jsonl');
  const data = join(work, 'data');
  const run = join(work, 'run');
  const exported = join(work, 'export');

  it('scrape', async () => {
    const r = await cli(['scrape', '--api-url', genius.url, '--out', corpus, '--rps', '50'], {
      GENIUS_ACCESS_TOKEN: genius.token,
    });
    expect(r.stderr + r.stdout).not.toContain(genius.token);
    expect(r.code, r.stderr).toBe(0);
    const songs = readFileSync(corpus, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(songs.length).toBeGreaterThanOrEqual(5);
    expect(r.stdout).toMatch(new RegExp(`kept ${songs.length} songs`));
  });

  it('tokenize', async () => {
    const r = await cli([
      'tokenize',
      '--corpus',
      corpus,
      '--out',
      data,
      '--vocab-size',
      '320',
      '--val-fraction',
      '0.2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'train.bin', 'val.bin', 'meta.json']) {
      expect(existsSync(join(data, f))).toBe(true);
    }
    const meta = JSON.parse(readFileSync(join(data, 'meta.json'), 'utf8'));
    expect(meta.vocab_size).toBeLessThanOrEqual(320);
    expect(r.stdout).toContain(`train ${meta.splits.train.tokens} tokens`);
  });

  it('train refuses heads that do not divide the width, in one line', async () => {
    const r = await cli([
      'train',
      '--data',
      data,
      '--out',
      join(work, 'bad'),
      '--embd',
      '30',
      '--heads',
      '4',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/divisible|nHead|heads/);
  });

  it('train', async () => {
    const r = await cli([
      'train',
      '--data',
      data,
      '--out',
      run,
      ...TINY,
      '--steps',
      '6',
      '--eval-every',
      '3',
      '--save-every',
      '3',
      '--warmup',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of [
      'metrics.jsonl',
      'loss.svg',
      'checkpoints/last/model.safetensors',
      'checkpoints/best/config.json',
    ]) {
      expect(existsSync(join(run, f)), f).toBe(true);
    }
    const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(r.stdout).toMatch(/trained 6\/6 steps/);
  });

  it('export', async () => {
    const r = await cli(['export', '--model', join(run, 'checkpoints', 'best'), '--out', exported]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(exported, 'onnx', 'model.onnx'))).toBe(true);
    expect(existsSync(join(exported, 'tokenizer.json'))).toBe(true);
    // What the lyrics page shows under "About the model", from the run's trainer state and data folder.
    const facts = JSON.parse(readFileSync(join(exported, 'config.json'), 'utf8')).spinettai;
    const state = JSON.parse(readFileSync(join(run, 'checkpoints', 'best', 'trainer_state.json'), 'utf8'));
    const meta = JSON.parse(readFileSync(join(data, 'meta.json'), 'utf8'));
    expect(facts).toEqual({
      best_val_loss: state.best_val_loss,
      steps: state.step,
      train_songs: meta.splits.train.songs,
    });
    expect(facts.train_songs).toBeGreaterThan(0);
  });

  it('generate from the checkpoint and from the export gives the same greedy text', async () => {
    const args = ['--prompt', 'la luz', '--max-tokens', '12', '--temperature', '0'];
    const a = await cli(['generate', '--model', join(run, 'checkpoints', 'best'), ...args]);
    const b = await cli(['generate', '--model', exported, ...args]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout.startsWith('la luz')).toBe(true);
    expect(a.stdout.length).toBeGreaterThan('la luz'.length);
    expect(b.stdout).toBe(a.stdout);
  });

  it('info describes each folder', async () => {
    const corpusInfo = await cli(['info', corpus]);
    expect(corpusInfo.stdout).toMatch(/songs: \d+/);
    const dataInfo = await cli(['info', data]);
    expect(dataInfo.stdout).toMatch(/vocab size: \d+/);
    const runInfo = await cli(['info', run]);
    expect(runInfo.stdout).toMatch(/best validation loss: \d/);
    const exportInfo = await cli(['info', exported]);
    expect(exportInfo.stdout).toMatch(/ONNX export/);
    for (const r of [corpusInfo, dataInfo, runInfo, exportInfo]) expect(r.code, r.stderr).toBe(0);
  });

  it('resume with another tokenizer is refused in one line', async () => {
    const other = join(work, 'data-other');
    const t = await cli([
      'tokenize',
      '--corpus',
      corpus,
      '--out',
      other,
      '--vocab-size',
      '300',
      '--val-fraction',
      '0.2',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const r = await cli(['train', '--data', other, '--out', run, ...TINY, '--steps', '8', '--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/tokenizer/i);
  });
});
