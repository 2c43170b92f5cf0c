// `engines.node` says ">=20" in every library; that is only true when no runtime
// dependency, direct or transitive, declares a Node range that excludes Node 20
// (npm then warns EBADENGINE on install). Walks each library's production dependency
// tree as installed and checks each declared range against Node 20.19.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const NODE_20 = [20, 19, 0] as const;

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const cmp = (a: readonly number[], b: readonly number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;

/** Does one comparator set ("^20.19.0", ">=18 <23", "20", "*") admit `v`? Unknown syntax throws. */
function admits(set: string, v: readonly number[]): boolean {
  return set
    .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .every((c) => {
      if (c === '*' || c === 'x') return true;
      const m = /^(>=|<=|>|<|\^|~|=)?v?(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(c);
      if (m === null) throw new Error(`engines range syntax not understood: '${c}' in '${set}'`);
      const [, op = '', maj, min, pat] = m;
      const w = [
        Number(maj),
        min === undefined || min === 'x' ? 0 : Number(min),
        pat === undefined || pat === 'x' ? 0 : Number(pat),
      ];
      const d = cmp(v, w);
      if (op === '>=') return d >= 0;
      if (op === '>') return d > 0;
      if (op === '<=') return d <= 0;
      if (op === '<') return d < 0;
      if (op === '^') return v[0] === w[0] && d >= 0;
      if (op === '~') return v[0] === w[0] && v[1] === w[1] && d >= 0;
      if (min === undefined || min === 'x') return v[0] === w[0]; // "20" = any 20.x
      return d === 0;
    });
}

const satisfies = (range: string, v: readonly number[]) => range.split('||').some((set) => admits(set, v));

/** The installed package.json of `name` as seen from `fromDir` (node_modules lookup). */
function resolveManifest(name: string, fromDir: string): { dir: string; manifest: Manifest } | undefined {
  for (let d = fromDir; ; d = dirname(d)) {
    const f = join(d, 'node_modules', name, 'package.json');
    if (existsSync(f)) return { dir: dirname(f), manifest: JSON.parse(readFileSync(f, 'utf8')) };
    if (dirname(d) === d) return undefined;
  }
}

/** Every runtime dependency (transitively) whose engines.node excludes Node 20.19. */
function offenders(pkgDir: string): string[] {
  const seen = new Set<string>();
  const bad: string[] = [];
  const walk = (dir: string, m: Manifest, path: string) => {
    const deps = { ...m.dependencies, ...m.optionalDependencies };
    for (const name of Object.keys(deps)) {
      const found = resolveManifest(name, dir);
      if (found === undefined) continue; // an optional dependency for another platform
      const key = `${found.manifest.name}@${found.manifest.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const range = found.manifest.engines?.node;
      if (range !== undefined && !satisfies(range, NODE_20)) bad.push(`${path} > ${key} (node ${range})`);
      walk(found.dir, found.manifest, `${path} > ${found.manifest.name}`);
    }
  };
  const own = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest;
  walk(pkgDir, own, own.name);
  return bad;
}

describe('engines: Node 20', () => {
  it('the range check reads the forms npm packages use', () => {
    expect(satisfies('>=20', NODE_20)).toBe(true);
    expect(satisfies('>=22', NODE_20)).toBe(false);
    expect(satisfies('^20.19.0 || >=22.12.0', NODE_20)).toBe(true);
    expect(satisfies('^22.11 || ^24 || >=26', NODE_20)).toBe(false);
    expect(satisfies('18 || 20 || >=22', NODE_20)).toBe(true);
    expect(satisfies('>= 18', NODE_20)).toBe(true);
    expect(satisfies('>=14.0.0 <20', NODE_20)).toBe(false);
  });

  it.each(['graph', 'tokenizer', 'model', 'trainer', 'scraper'])(
    '@spinettai/%s: no runtime dependency requires a newer Node',
    (pkg) => {
      const dir = join(root, 'packages', pkg);
      const own = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
      expect(own.engines?.node).toBe('>=20');
      expect(offenders(dir)).toEqual([]);
    },
  );
});
