// The "import it into another project" use: pack every package as npm would
// publish it, install the tarballs into a fresh project outside the workspace and
// use the public API from plain Node ESM. Also checks what each tarball holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const packages = {
  '@spinettai/graph': 'packages/graph',
  '@spinettai/scraper': 'packages/scraper',
  '@spinettai/tokenizer': 'packages/tokenizer',
  '@spinettai/model': 'packages/model',
  '@spinettai/trainer': 'packages/trainer',
  spinettai: 'apps/cli',
} as const;

let work = '';
const tarballs = new Map<string, string>();

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'spinettai-pack-'));
  const packs = join(work, 'tarballs');
  for (const [name, dir] of Object.entries(packages)) {
    const before = new Set(safeList(packs));
    sh('pnpm', ['pack', '--pack-destination', packs], join(root, dir));
    const added = safeList(packs).filter((f) => !before.has(f));
    expect(added).toHaveLength(1);
    tarballs.set(name, join(packs, added[0]!));
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('packed tarballs', () => {
  it.each(Object.keys(packages))(
    '%s holds dist with types, a README and a license, and no tests or sources',
    (name) => {
      const files = sh('tar', ['-tzf', tarballs.get(name)!], work)
        .split('\n')
        .filter(Boolean)
        .map((f) => f.replace(/^package\//, ''));
      expect(files).toContain('package.json');
      expect(files).toContain('README.md');
      expect(files).toContain('LICENSE');
      expect(files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))).toBe(true);
      const stray = files.filter((f) => !/^(dist\/|data\/|package\.json$|README\.md$|LICENSE$)/.test(f));
      expect(stray).toEqual([]);
      expect(files.filter((f) => /\.test\.|test-utils|^src\//.test(f))).toEqual([]);
    },
  );

  it('install into a project outside the workspace and import from plain Node ESM', () => {
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    const overrides = Object.fromEntries([...tarballs].map(([n, t]) => [n, `file:${t}`]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: overrides }),
    );
    // The tarballs depend on each other by version; overrides point those at the tarballs.
    // Same rule as the workspace: onnxruntime-node's CUDA download script stays off.
    writeFileSync(
      join(app, 'pnpm-workspace.yaml'),
      [
        'overrides:',
        ...Object.entries(overrides).map(([n, t]) => `  '${n}': '${t}'`),
        'allowBuilds:',
        '  onnxruntime-node: false',
        '  protobufjs: false',
        '',
      ].join('\n'),
    );
    sh('pnpm', ['install', '--prefer-offline', '--reporter=append-only'], app);
    writeFileSync(
      join(app, 'main.mjs'),
      `import * as graph from '@spinettai/graph';
import * as scraper from '@spinettai/scraper';
import * as tokenizer from '@spinettai/tokenizer';
import * as model from '@spinettai/model';
import * as trainer from '@spinettai/trainer';
const b = new graph.GraphBuilder('consumer');
const x = b.input('x', 'float32', [2]);
b.output(b.add(x, x), 'y');
const bytes = graph.serializeModel(b.build());
console.log(JSON.stringify({
  onnxBytes: bytes.length,
  graph: Object.keys(graph).length,
  scraper: Object.keys(scraper).length,
  tokenizer: Object.keys(tokenizer).length,
  model: Object.keys(model).length,
  trainer: Object.keys(trainer).length,
}));
`,
    );
    const out = JSON.parse(sh('node', ['main.mjs'], app));
    expect(out.onnxBytes).toBeGreaterThan(20);
    for (const k of ['graph', 'scraper', 'tokenizer', 'model', 'trainer']) expect(out[k]).toBeGreaterThan(0);
    const help = sh(join(app, 'node_modules/.bin/spinettai'), ['--help'], app);
    expect(help).toMatch(/Usage: spinettai/);
  }, 300_000);
});
