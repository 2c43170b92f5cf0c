// Every built library loads from CommonJS: `require('@spinettai/x')` works on Node ≥ 20.19
// (require of an ES module) only when nothing in the module's import graph has a
// top-level await. Each entry point, /node entries included, is required by its package
// name from a CommonJS script in a fresh Node process, as a CommonJS user would.
// Runs the built dist/ (CI builds first; locally: pnpm exec turbo run build).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each library's entry points, with one export that must be there. */
const ENTRIES: [dir: string, specifier: string, member: string][] = [
  ['packages/graph', '@spinettai/graph', 'GraphBuilder'],
  ['packages/tokenizer', '@spinettai/tokenizer', 'Tokenizer'],
  ['packages/tokenizer', '@spinettai/tokenizer/node', 'loadTokenizer'],
  ['packages/model', '@spinettai/model', 'TextGenerator'],
  ['packages/model', '@spinettai/model/node', 'loadTextGenerator'],
  ['packages/trainer', '@spinettai/trainer', 'train'],
  ['packages/scraper', '@spinettai/scraper', 'scrape'],
];

describe('require() from CommonJS on Node 20', () => {
  it('runs on a Node that has require(esm) unflagged (>= 20.19)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
  });

  it.each(ENTRIES)('%s: require(%s) gives %s', (dir, specifier, member) => {
    const pkg = JSON.parse(readFileSync(`${root}/${dir}/package.json`, 'utf8')) as { main: string };
    const main = `${root}/${dir}/${pkg.main}`;
    expect(existsSync(main), `build ${dir} first (${main} is missing)`).toBe(true);
    // createRequire at the package's own package.json: the name resolves through its
    // "exports" (self-reference), exactly as it would from a dependent's node_modules.
    const script = `
      const { createRequire } = require('node:module');
      const lib = createRequire(${JSON.stringify(`${root}/${dir}/package.json`)})(${JSON.stringify(specifier)});
      process.stdout.write(typeof lib[${JSON.stringify(member)}]);
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root });
    expect(r.stderr).not.toMatch(/ERR_REQUIRE_ASYNC_MODULE|ERR_REQUIRE_ESM/);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('function');
  });
});
