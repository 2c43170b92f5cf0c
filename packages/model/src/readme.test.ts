// The README's ```ts examples are one program: this runs them, in order, as a user
// would after `npm i` — against the built package (dist/, through the package's own
// "exports"), in an empty working folder, so every path they name must be written
// by an earlier example. ```js blocks (transformers.js, the browser) are not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const cleanup: string[] = [];

afterAll(() => {
  for (const p of cleanup) rmSync(p, { recursive: true, force: true });
});

describe('README', () => {
  it('has the examples this test runs', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks.join('\n')).toContain("from '@spinettai/model/node'");
  });

  it('runs every ts example in order, as written', async () => {
    for (const entry of ['dist/index.js', 'dist/node.js'])
      expect(existsSync(join(pkgDir, entry)), `build @spinettai/model first (${entry})`).toBe(true);
    const { code } = await transform(blocks.join('\n'), { loader: 'ts', format: 'esm' });
    // Beside package.json, so '@spinettai/model' resolves by self-reference and the
    // dependencies through this package's node_modules.
    const script = join(pkgDir, `.readme-example-${process.pid}.mjs`);
    const work = mkdtempSync(join(tmpdir(), 'spinettai-readme-'));
    cleanup.push(script, work);
    writeFileSync(script, code);
    const r = spawnSync(process.execPath, [script], { cwd: work, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
    expect(r.stdout).toContain('onnx/model.onnx');
    for (const dir of ['data/lyrics', 'runs/a/checkpoint', 'runs/a/export'])
      expect(existsSync(join(work, dir)), dir).toBe(true);
  }, 180_000);
});
