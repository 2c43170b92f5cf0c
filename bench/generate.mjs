#!/usr/bin/env node
// Generation speed: @spinettai/model (onnxruntime-node) vs a PyTorch reference of the
// same GPT-2, batch 1, greedy, 256 new tokens after a 32-token prompt, with and
// without a KV cache, same thread count, medians of a few runs, printed side by side
// with ratios (ours / torch). Random weights; speed does not depend on their values.
//
//   pnpm turbo run build --filter=@spinettai/model...
//   node bench/generate.mjs [--threads N] [--runs N] [--new-tokens N] [--prompt-tokens N] [--json out.json] [--no-torch]
//
// PyTorch comes from Debian (python3-torch + libopenblas0-pthread), installed here with
// apt-get when missing. It lives in /usr/bin/python3, which may not be first on PATH.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    runs: { type: 'string', default: '5' },
    'new-tokens': { type: 'string', default: '256' },
    'prompt-tokens': { type: 'string', default: '32' },
    json: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const threads = Number(args.threads);
const runs = Number(args.runs);
const newTokens = Number(args['new-tokens']);
const promptTokens = Number(args['prompt-tokens']);

/** (a) the CLI's default config, (b) the seed config. */
const CONFIGS = [
  { name: 'default', cfg: { nLayer: 4, nEmbd: 256, nHead: 4, blockSize: 128, vocabSize: 4096 } },
  { name: 'seed', cfg: { nLayer: 8, nEmbd: 512, nHead: 8, blockSize: 64, vocabSize: 4096 } },
];

const PYTHON = '/usr/bin/python3';

function torchAvailable() {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function ensureTorch() {
  if (torchAvailable()) return true;
  console.error(
    'PyTorch not found in /usr/bin/python3; installing python3-torch and libopenblas0-pthread with apt-get …',
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'libopenblas0-pthread'], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0 || !torchAvailable()) {
    console.error(
      'could not install PyTorch; run `apt-get install -y python3-torch libopenblas0-pthread` as root, or pass --no-torch',
    );
    return false;
  }
  return true;
}

function torchBench(cfg) {
  const r = spawnSync(
    PYTHON,
    [
      join(here, 'generate_ref.py'),
      `--vocab=${cfg.vocabSize}`,
      `--block=${cfg.blockSize}`,
      `--layers=${cfg.nLayer}`,
      `--heads=${cfg.nHead}`,
      `--embd=${cfg.nEmbd}`,
      `--prompt-tokens=${promptTokens}`,
      `--new-tokens=${newTokens}`,
      `--threads=${threads}`,
      `--runs=${runs}`,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
    },
  );
  if (r.status !== 0) throw new Error(`generate_ref.py failed:\n${r.stderr}`);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { kv: rows.find((x) => x.kv_cache), noKv: rows.find((x) => !x.kv_cache) };
}

const { benchGenerate } = await import(join(here, '..', 'packages', 'model', 'dist', 'node.js')).catch(
  () => {
    console.error(
      'packages/model/dist is missing: run `pnpm turbo run build --filter=@spinettai/model...` first',
    );
    process.exit(1);
  },
);

const withTorch = !args['no-torch'] && ensureTorch();
const fmt = (x, d = 1) => (x === undefined ? '—' : x.toFixed(d));
const results = [];
console.log(
  `threads ${threads}, ${promptTokens}-token prompt, ${newTokens} new tokens, median of ${runs} runs, load average ${loadavg()[0].toFixed(2)}`,
);
console.log('config   cache  ours tok/s  torch tok/s  ratio   ours prefill ms  torch prefill ms  ratio');
for (const { name, cfg } of CONFIGS) {
  const torch = withTorch ? torchBench(cfg) : undefined;
  for (const kvCache of [true, false]) {
    const ours = await benchGenerate(cfg, { kvCache, threads, runs, promptTokens, newTokens });
    const ref = torch === undefined ? undefined : kvCache ? torch.kv : torch.noKv;
    const speed = ref === undefined ? undefined : ours.new_tokens_per_s / ref.new_tokens_per_s;
    const prefill = ref === undefined ? undefined : ours.prefill_ms / ref.prefill_ms;
    results.push({
      config: name,
      ...cfg,
      kv_cache: kvCache,
      ours,
      torch: ref ?? null,
      speed_ratio: speed ?? null,
      prefill_ratio: prefill ?? null,
    });
    console.log(
      [
        name.padEnd(8),
        (kvCache ? 'kv' : 'none').padEnd(5),
        fmt(ours.new_tokens_per_s).padStart(11),
        fmt(ref?.new_tokens_per_s).padStart(12),
        `${fmt(speed, 2)}×`.padStart(6),
        fmt(ours.prefill_ms, 2).padStart(16),
        fmt(ref?.prefill_ms, 2).padStart(17),
        `${fmt(prefill, 2)}×`.padStart(6),
      ].join(' '),
    );
  }
}
console.log('ratio = ours / torch: tok/s above 1× and prefill below 1× mean ours is faster.');
if (args.json)
  writeFileSync(
    args.json,
    `${JSON.stringify({ threads, runs, promptTokens, newTokens, results }, null, 2)}\n`,
  );
