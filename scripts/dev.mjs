#!/usr/bin/env node
// The README's two commands (`npm run demo`, `npm test`) start here, on a machine
// that has only Node >= 20 and npm: get the pinned pnpm from the npm registry,
// install the workspace from its lockfile, build it, then run the demo, the CLI
// or the tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  ONNXRUNTIME_NODE_INSTALL: 'skip',
};
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// Without the pinned pnpm on PATH, run this same script again under `npm exec`,
// which puts pnpm on PATH for it and for every process it starts (tests included).
const local = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
if (local.status !== 0 || local.stdout.trim() !== pnpmVersion) {
  process.exit(
    run('npm', [
      'exec',
      '--yes',
      `--package=pnpm@${pnpmVersion}`,
      '--',
      'node',
      fileURLToPath(import.meta.url),
      ...args,
    ]),
  );
}

function ensureBuilt() {
  const reporter = process.stdout.isTTY ? [] : ['--reporter=append-only'];
  if (run('pnpm', ['install', '--frozen-lockfile', ...reporter]) !== 0) process.exit(1);
  if (run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']) !== 0) process.exit(1);
}

const [task, ...rest] = args;
if (task === 'test') {
  ensureBuilt();
  process.exit(run('pnpm', ['exec', 'vitest', 'run', ...rest]));
} else if (task === 'demo' || task === 'cli') {
  ensureBuilt();
  const cliArgs = task === 'demo' ? ['demo', ...rest] : rest;
  process.exit(run(process.execPath, [join(root, 'apps/cli/dist/bin.js'), ...cliArgs]));
} else {
  console.error('usage: node scripts/dev.mjs test|demo|cli [args...]');
  process.exit(2);
}
