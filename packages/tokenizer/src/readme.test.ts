// The README's first example, run as written against the built package: its
// code block is copied into a .mjs file in an empty folder that links
// @spinettai/tokenizer to this package.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'spinettai-tok-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ensureBuilt(): void {
  const srcDir = join(PKG, 'src');
  const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  const newest = Math.max(...sources.map((f) => statSync(join(srcDir, f)).mtimeMs));
  const dist = join(PKG, 'dist', 'node.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(PKG, 'tsconfig.build.json')], { stdio: 'inherit' });
}

describe('README', () => {
  it('the first example runs as written', () => {
    ensureBuilt();
    const readme = readFileSync(join(PKG, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(example).toContain("from '@spinettai/tokenizer/node'");
    mkdirSync(join(dir, 'node_modules', '@spinettai'), { recursive: true });
    symlinkSync(PKG, join(dir, 'node_modules', '@spinettai', 'tokenizer'), 'dir');
    writeFileSync(join(dir, 'example.mjs'), example);
    const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^279 \{ Charly: 277, Spinetta: 278 \}$/);
    expect(lines[1]).toBe('Mañana es mejor 🎸');
    expect(lines[2]).toBe('true');
    expect(existsSync(join(dir, 'data', 'lyrics', 'train.bin'))).toBe(true);
  });
});
