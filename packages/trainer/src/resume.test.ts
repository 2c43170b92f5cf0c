// Kill-and-resume with a real process: a child node process trains (from the built
// dist/index.js, dropout on), is SIGKILLed mid-run after a checkpoint, a second child
// resumes, and the logged losses must equal an uninterrupted run's exactly.
// The project's test command builds first; alone: pnpm turbo run build --filter=@spinettai/trainer...
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetrics } from './metrics.js';
import { noiseTokens, removeTempDirs, tempDir, writeDataset } from './test-utils/dataset.js';

afterAll(removeTempDirs);

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const CHILD = `
import { train } from ${JSON.stringify(pathToFileURL(distIndex).href)};
const [opts, killAt] = [JSON.parse(process.argv[2]), Number(process.argv[3])];
await train(opts, {
  onStep(s) {
    process.stdout.write('step ' + s.step + '\\n');
    // Park the process at this step so the parent's SIGKILL lands mid-run, after the checkpoint.
    if (s.step === killAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
  },
});
process.stdout.write('done\\n');
`;

function runChild(
  script: string,
  opts: object,
  killAt = -1,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(opts), String(killAt)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAt > 0 && out.includes(`step ${killAt}\n`)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('kill -9 and resume (real subprocess)', () => {
  it('logs exactly the losses of an uninterrupted run', async () => {
    expect(
      existsSync(distIndex),
      `build the trainer first: pnpm turbo run build --filter=@spinettai/trainer... (${distIndex})`,
    ).toBe(true);
    const work = tempDir();
    const script = join(work, 'child.mjs');
    writeFileSync(script, CHILD);
    const dataDir = writeDataset(join(work, 'data'), noiseTokens(800, 32, 5), noiseTokens(200, 32, 6), 260);
    const opts = (outDir: string, resume = false) => ({
      dataDir,
      outDir,
      model: { blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 },
      batchSize: 4,
      steps: 16,
      lr: 1e-2,
      warmupSteps: 2,
      dropout: 0.2,
      evalEvery: 4,
      evalBatches: 2,
      saveEvery: 5,
      seed: 3,
      threads: 1,
      resume,
    });
    const full = join(work, 'full');
    const a = await runChild(script, opts(full));
    expect(a.err).toBe('');
    expect(a.out).toContain('done');

    const run = join(work, 'killed');
    const killed = await runChild(script, opts(run), 13);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.out).not.toContain('done');
    expect(JSON.parse(readFileSync(join(run, 'checkpoints/last/trainer_state.json'), 'utf8')).step).toBe(10);
    expect(readMetrics(join(run, 'metrics.jsonl')).at(-1)!.step).toBeGreaterThan(10); // logged past the checkpoint

    const resumed = await runChild(script, opts(run, true));
    expect(resumed.err).toBe('');
    expect(resumed.out.split('\n')[0]).toBe('step 11');
    const want = readMetrics(join(full, 'metrics.jsonl'));
    const got = readMetrics(join(run, 'metrics.jsonl'));
    expect(got.map((r) => r.step)).toEqual(want.map((r) => r.step));
    expect(got.map((r) => r.train_loss)).toEqual(want.map((r) => r.train_loss));
    expect(got.map((r) => r.val_loss)).toEqual(want.map((r) => r.val_loss));
    expect(got.map((r) => r.grad_norm)).toEqual(want.map((r) => r.grad_norm));
  });
});
