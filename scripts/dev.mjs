#!/usr/bin/env node
// The README's two commands (`npm run demo`, `npm test`) start here, on a machine
// that has only Node >= 20 and npm: fetch the pinned pnpm from the npm registry,
// install the workspace from the lockfile, build it, then run the demo or the tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpm(args) {
  const local = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (local.status === 0 && local.stdout.trim() === pnpmVersion) return run('pnpm', args);
  return run('npm', ['exec', '--yes', `pnpm@${pnpmVersion}`, '--', ...args]);
}

function ensureBuilt() {
  const quiet = process.env.CI ? [] : ['--reporter=append-only'];
  if (pnpm(['install', '--frozen-lockfile', ...quiet]) !== 0) process.exit(1);
  if (run(join(root, 'node_modules/.bin/turbo'), ['run', 'build', '--output-logs=errors-only']) !== 0) process.exit(1);
}

const [task, ...rest] = process.argv.slice(2);
if (task === 'test') {
  ensureBuilt();
  process.exit(run(join(root, 'node_modules/.bin/vitest'), ['run', ...rest]));
} else if (task === 'demo' || task === 'cli') {
  ensureBuilt();
  const args = task === 'demo' ? ['demo', ...rest] : rest;
  process.exit(run(process.execPath, [join(root, 'apps/cli/dist/bin.js'), ...args]));
} else {
  console.error('usage: node scripts/dev.mjs test|demo|cli [args...]');
  process.exit(2);
}
