// `spinettai generate --num-samples N` decodes the N samples as one batch: its output is
// byte for byte what N separate `--seed s+i` runs print under the sample headers, with
// samples ending at different points (stop string, length). Runs dist/bin.js.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './test-utils/tinyModel.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

let root: string;
let exported: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spinettai-batch-cli-'));
  ({ exported } = await tinyModel(root));
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generate --num-samples', () => {
  it('prints the samples of separate --seed runs, in order, under headers', () => {
    const common = [
      'generate',
      '--model',
      exported,
      '--prompt',
      'la',
      '--max-tokens',
      '40',
      '--threads',
      '1',
    ];
    const flags = [...common, '--temperature', '1', '--stop', 'a ', '--seed'];
    const batch = cli(...flags, '7', '--num-samples', '3');
    expect(batch.status, batch.stderr).toBe(0);
    const singles = [7, 8, 9].map((s) => {
      const r = cli(...flags, String(s));
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    });
    const expected = singles.map(
      (t, i) => `${i > 0 ? '\n' : ''}=== sample ${i + 1} (seed ${7 + i}) ===\n${t}`,
    );
    expect(batch.stdout).toBe(expected.join(''));
    expect(new Set(singles).size).toBe(3); // the seeds really differ
    expect(new Set(singles.map((t) => t.length)).size).toBeGreaterThan(1); // rows end at different points
  });
});
