// The README's first example, run as written: its code block is copied into a .mjs file
// that imports the built package, with `fetch` to https://api.genius.com redirected to the
// fake Genius server (the only change, made from outside the example, by a preload).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGenius, startFakeGenius } from './test-utils/fakeGenius.js';
import { readJsonl, tempDir } from './test-utils/scrapeHarness.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));

let fake: FakeGenius;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ensureBuilt();
  fake = await startFakeGenius();
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe('README', () => {
  it('the first example runs as written', async () => {
    const readme = await readFile(join(PKG, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(example).toContain("from '@spinettai/scraper'");
    await mkdir(join(dir, 'node_modules', '@spinettai'), { recursive: true });
    await symlink(PKG, join(dir, 'node_modules', '@spinettai', 'scraper'), 'dir');
    await writeFile(join(dir, 'example.mjs'), example);
    await writeFile(
      join(dir, 'reroute.mjs'),
      `const real = globalThis.fetch;
globalThis.fetch = (url, init) =>
  real(String(url).replace('https://api.genius.com', ${JSON.stringify(fake.url)}), init);
`,
    );
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', './reroute.mjs', 'example.mjs'], {
        cwd: dir,
        env: { ...process.env, GENIUS_ACCESS_TOKEN: fake.token },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^5 \{/); // Almendra's 3 songs and Pescado Rabioso's 2
    expect(await readJsonl(join(dir, 'scraped', 'almendra.jsonl'))).toHaveLength(5);
    expect(
      Object.keys(JSON.parse(await readFile(join(dir, 'scraped', 'almendra.json'), 'utf8'))),
    ).toHaveLength(5);
    expect(stderr).toMatch(/^5\/\d+ /m);
  });
});

/** Build packages/scraper/dist when it is missing or older than a library source file. */
function ensureBuilt(): void {
  const srcDir = join(PKG, 'src');
  const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('test-utils') && f !== 'testing.ts',
  );
  const newest = Math.max(...sources.map((f) => statSync(join(srcDir, f)).mtimeMs));
  const dist = join(PKG, 'dist', 'index.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(PKG, 'tsconfig.build.json')], { stdio: 'inherit' });
}
