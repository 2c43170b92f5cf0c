#!/usr/bin/env node
// Generation speed: @spinettai/model (onnxruntime-node) vs a PyTorch reference of the
// same GPT-2, greedy, 256 new tokens after a 32-token prompt, same thread count,
// medians of a few runs, printed side by side with ratios (ours / torch). Random
// weights; speed does not depend on their values. Two tables:
//   1. fp32, batch 1, with and without a KV cache;
//   2. per dtype (--dtypes), --batch N samples decoded as one batch (generate
//      --num-samples N) against N sequential runs. N sequential runs take N times one
//      run, so their tokens/s is batch 1's: the ratio batch N / batch 1 is what one
//      batch saves. PyTorch runs fp32 and q8 (quantize_dynamic on nn.Linear); q4 and
//      fp16 have no comparable PyTorch CPU path (see generate_ref.py) and show —.
// The machine may be shared with other jobs: the load average is printed; compare
// ratios from the same run, not absolute numbers across runs.
//
//   pnpm turbo run build --filter=@spinettai/model...
//   node bench/generate.mjs [--threads N] [--runs N] [--new-tokens N] [--prompt-tokens N]
//                           [--dtypes fp32,q8,q4] [--batch 4] [--configs default,seed]
//                           [--torch-blas-threads N] [--json out.json] [--no-torch]
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
    dtypes: { type: 'string', default: 'fp32,q8,q4' },
    batch: { type: 'string', default: '4' },
    configs: { type: 'string', default: 'default,seed' },
    // Debian's torch calls a pthreads OpenBLAS: its threads and torch's OpenMP threads spin
    // against each other (2 cores, threads 2: fp32 batch 4 at 58 tok/s with 2 BLAS threads vs
    // 245 with 1; batch 1 is a little faster with 2). By default the reference runs fp32 with
    // both 1 and --threads BLAS threads and keeps each row's faster one; this pins one.
    'torch-blas-threads': { type: 'string' },
  },
});
const dtypes = args.dtypes.split(',');
const batch = Number(args.batch);
const TORCH_DTYPES = ['fp32', 'q8']; // q4 / fp16: no comparable PyTorch CPU path
const threads = Number(args.threads);
const runs = Number(args.runs);
const newTokens = Number(args['new-tokens']);
const promptTokens = Number(args['prompt-tokens']);

/** (a) the CLI's default config, (b) the seed config. */
const CONFIGS = [
  { name: 'default', cfg: { nLayer: 4, nEmbd: 256, nHead: 4, blockSize: 128, vocabSize: 4096 } },
  { name: 'seed', cfg: { nLayer: 8, nEmbd: 512, nHead: 8, blockSize: 64, vocabSize: 4096 } },
].filter((c) => args.configs.split(',').includes(c.name));

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

/**
 * PyTorch's rows for one config, each the faster of the BLAS-thread settings tried (fp32 only:
 * q8 runs on qnnpack, not BLAS). Each row records its `blas_threads`.
 */
function torchBench(cfg) {
  const pinned = args['torch-blas-threads'];
  const settings = pinned !== undefined ? [pinned] : [...new Set([String(threads), '1'])];
  const rows = [];
  const key = (x) => `${x.dtype}/${x.batch}/${x.kv_cache}`;
  for (const [i, blas] of settings.entries()) {
    const only = i === 0 ? undefined : ['fp32'];
    for (const row of torchRows(cfg, blas, only)) {
      const j = rows.findIndex((x) => key(x) === key(row));
      if (j < 0) rows.push(row);
      else if (row.new_tokens_per_s > rows[j].new_tokens_per_s) rows[j] = row;
    }
  }
  const find = (dtype, b, kv) => rows.find((x) => x.dtype === dtype && x.batch === b && x.kv_cache === kv);
  return { kv: find('fp32', 1, true), noKv: find('fp32', 1, false), find };
}

function torchRows(cfg, blasThreads, onlyDtypes) {
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
      `--dtypes=${onlyDtypes ?? TORCH_DTYPES.filter((d) => dtypes.includes(d) || d === 'fp32').join(',')}`,
      `--batches=1,${batch}`,
    ],
    {
      encoding: 'utf8',
      // qnnpack (q8) warns on stderr at every Linear call: room for it, and only its tail on failure.
      maxBuffer: 1 << 30,
      env: {
        ...process.env,
        OMP_NUM_THREADS: String(threads),
        OPENBLAS_NUM_THREADS: blasThreads,
      },
    },
  );
  if (r.status !== 0)
    throw new Error(`generate_ref.py failed:\n${(r.stderr ?? String(r.error)).slice(-4000)}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => ({ ...JSON.parse(l), blas_threads: Number(blasThreads) }));
}

const { benchGenerate } = await import(join(here, '..', 'packages', 'model', 'dist', 'node.js')).catch(() => {
  console.error(
    'packages/model/dist is missing: run `pnpm turbo run build --filter=@spinettai/model...` first',
  );
  process.exit(1);
});

const withTorch = !args['no-torch'] && ensureTorch();
const fmt = (x, d = 1) => (x === undefined ? '—' : x.toFixed(d));
const results = [];
const torchRuns = new Map();
console.log(
  `threads ${threads}, ${promptTokens}-token prompt, ${newTokens} new tokens, median of ${runs} runs, load average ${loadavg()[0].toFixed(2)}`,
);
console.log('config   cache  ours tok/s  torch tok/s  ratio   ours prefill ms  torch prefill ms  ratio');
for (const { name, cfg } of CONFIGS) {
  const torch = withTorch ? torchBench(cfg) : undefined;
  torchRuns.set(name, torch);
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
if (withTorch)
  console.log(
    `PyTorch fp32 rows: the faster of OPENBLAS_NUM_THREADS=${args['torch-blas-threads'] ?? [...new Set([threads, 1])].join(' and ')} for each row (--json records which).`,
  );

// Table 2: batch N as one batch vs N sequential runs (= batch 1's tokens/s), per dtype.
const batchResults = [];
console.log(
  `\n${batch} samples as one batch vs ${batch} sequential runs (new tokens/s over all samples, KV cache)`,
);
console.log(
  `config   dtype  ours ×1  ours ×${batch}  batch gain  torch ×1  torch ×${batch}  batch gain  ours/torch ×${batch}`,
);
for (const { name, cfg } of CONFIGS) {
  const torch = torchRuns.get(name);
  for (const dtype of dtypes) {
    const one = await benchGenerate(cfg, { dtype, threads, runs, promptTokens, newTokens });
    const many = await benchGenerate(cfg, { dtype, threads, runs, promptTokens, newTokens, batch });
    const t1 = torch?.find(dtype, 1, true);
    const tn = torch?.find(dtype, batch, true);
    const row = {
      config: name,
      dtype,
      batch,
      ours_1: one.new_tokens_per_s,
      ours_n: many.new_tokens_per_s,
      ours_gain: many.new_tokens_per_s / one.new_tokens_per_s,
      torch_1: t1?.new_tokens_per_s ?? null,
      torch_n: tn?.new_tokens_per_s ?? null,
      torch_gain: t1 && tn ? tn.new_tokens_per_s / t1.new_tokens_per_s : null,
      ours_vs_torch_n: tn ? many.new_tokens_per_s / tn.new_tokens_per_s : null,
    };
    batchResults.push(row);
    console.log(
      [
        name.padEnd(8),
        dtype.padEnd(5),
        fmt(row.ours_1).padStart(8),
        fmt(row.ours_n).padStart(8),
        `${fmt(row.ours_gain, 2)}×`.padStart(11),
        fmt(row.torch_1 ?? undefined).padStart(9),
        fmt(row.torch_n ?? undefined).padStart(9),
        `${fmt(row.torch_gain ?? undefined, 2)}×`.padStart(11),
        `${fmt(row.ours_vs_torch_n ?? undefined, 2)}×`.padStart(15),
      ].join(' '),
    );
  }
}
console.log(
  `batch gain = batch ${batch} tok/s / batch 1 tok/s (${batch} sequential runs); — = no comparable PyTorch CPU path (q4, fp16) or --no-torch. load average now ${loadavg()[0].toFixed(2)}.`,
);
if (args.json)
  writeFileSync(
    args.json,
    `${JSON.stringify({ threads, runs, promptTokens, newTokens, batch, results, batchResults }, null, 2)}\n`,
  );
