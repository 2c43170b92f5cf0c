#!/usr/bin/env node
// Training-throughput benchmark: @spinettai/trainer (onnxruntime-node, forward + backward
// + AdamW, float32) against a PyTorch reference of the same model and optimizer
// (bench/train_ref.py), same thread count, same run.
//   node bench/train.mjs [--threads N] [--steps 10] [--warmup 2] [--rounds 2] [--configs a,b] [--no-torch] [--no-profile]
// (build first: pnpm turbo run build --filter=@spinettai/trainer...)
//
// Configs: (a) the seed project's: 8 layers, 512 embd, 8 heads, block 64, vocab 4096, batch 32;
//          (b) the small default: 4 layers, 256 embd, 4 heads, block 128, vocab 4096, batch 16.
// Every measurement runs in its own child process (so peak RSS is per measurement);
// rounds alternate implementations so background load hits them alike. Prints median
// step times over all rounds, tokens/s, ratios, peak RSS and MFU = 6·params·tokens/s
// ÷ peak matmul FLOP/s measured here with a 2048³ onnxruntime MatMul. PyTorch comes from
// Debian (python3-torch + libopenblas0-pthread), installed with apt-get when missing.

import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const trainerDist = pathToFileURL(join(root, 'packages/trainer/dist/index.js')).href;
const PY = '/usr/bin/python3';

const CONFIGS = {
  a: {
    name: '(a) seed 8L/512/8H T64 V4096 B32',
    cfg: { nLayer: 8, nEmbd: 512, nHead: 8, blockSize: 64, vocabSize: 4096 },
    batch: 32,
  },
  b: {
    name: '(b) default 4L/256/4H T128 V4096 B16',
    cfg: { nLayer: 4, nEmbd: 256, nHead: 4, blockSize: 128, vocabSize: 4096 },
    batch: 16,
  },
};

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const flag = (name) => process.argv.includes(`--${name}`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------- child: one measurement ----------
if (flag('child')) {
  const job = JSON.parse(arg('child'));
  const { benchTrain, measurePeakFlops } = await import(trainerDist);
  if (job.kind === 'peak') {
    console.log(JSON.stringify({ peak_flops: await measurePeakFlops({ threads: job.threads, reps: 10 }) }));
  } else {
    const r = await benchTrain(job.cfg, {
      batch: job.batch,
      steps: job.steps,
      warmup: job.warmup,
      threads: job.threads,
      optimizer: job.mode,
      profile: job.profile,
    });
    console.log(JSON.stringify(r));
  }
  process.exit(0);
}

// ---------- parent ----------
const threads = Number(arg('threads', String(availableParallelism())));
const steps = Number(arg('steps', '10'));
const warmup = Number(arg('warmup', '2'));
const rounds = Number(arg('rounds', '2'));
const configs = arg('configs', 'a,b').split(',');
const withTorch = !flag('no-torch');

function child(job) {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

function ensureTorch() {
  const ok = () => spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (ok()) return true;
  console.log(
    'installing python3-torch and libopenblas0-pthread with apt-get (serialised with /tmp/spinettai-apt.lock)…',
  );
  const apt = (args) =>
    spawnSync('flock', ['/tmp/spinettai-apt.lock', 'apt-get', ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  if (apt(['install', '-y', 'python3-torch', 'libopenblas0-pthread']).status !== 0) {
    apt(['update']);
    apt(['install', '-y', 'python3-torch', 'libopenblas0-pthread']);
  }
  if (!ok()) console.log(`PyTorch is not importable from ${PY}; skipping the reference`);
  return ok();
}

function torchRun(c) {
  const { cfg, batch } = c;
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const out = execFileSync(
    PY,
    [
      join(root, 'bench/train_ref.py'),
      '--layers',
      cfg.nLayer,
      '--embd',
      cfg.nEmbd,
      '--heads',
      cfg.nHead,
      '--block',
      cfg.blockSize,
      '--vocab',
      cfg.vocabSize,
      '--batch',
      batch,
      '--steps',
      steps,
      '--warmup',
      warmup,
      '--threads',
      threads,
    ].map(String),
    { encoding: 'utf8', env },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

const torch = withTorch && ensureTorch();
console.log(
  `machine: ${availableParallelism()} cores, threads ${threads}; ${steps} timed steps after ${warmup} warmup, ${rounds} rounds; node ${process.version}`,
);
const peaks = [];
for (let r = 0; r < 3; r++) peaks.push(child({ kind: 'peak', threads }).peak_flops);
const peak = Math.max(...peaks);
console.log(
  `peak matmul (onnxruntime MatMul 2048³, fastest of 3×10 runs): ${(peak / 1e9).toFixed(1)} GFLOP/s`,
);

const rows = [];
for (const key of configs) {
  const c = CONFIGS[key];
  const samples = { fused: [], separate: [], pytorch: [] };
  const rss = { fused: 0, separate: 0, pytorch: 0 };
  let params = 0;
  let tokensPerStep = 0;
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['fused', 'separate']) {
      const res = child({ kind: 'train', cfg: c.cfg, batch: c.batch, steps, warmup, threads, mode });
      samples[mode].push(...res.step_ms_all);
      rss[mode] = Math.max(rss[mode], res.peak_rss_mb);
      params = res.params;
      tokensPerStep = res.tokens_per_step;
    }
    if (torch) {
      const res = torchRun(c);
      samples.pytorch.push(...res.step_ms_all);
      rss.pytorch = Math.max(rss.pytorch, res.peak_rss_mb);
      if (res.params !== params)
        console.log(`warning: PyTorch counts ${res.params} parameters, ours ${params}`);
    }
  }
  const stat = (impl) => {
    if (samples[impl].length === 0) return undefined;
    const ms = median(samples[impl]);
    const tps = (tokensPerStep * 1000) / ms;
    return {
      impl,
      step_ms: ms,
      best_ms: Math.min(...samples[impl]),
      tokens_per_s: tps,
      peak_rss_mb: rss[impl],
      mfu: (6 * params * tps) / peak,
    };
  };
  const res = ['fused', 'separate', 'pytorch'].map(stat).filter(Boolean);
  const ref = res.find((x) => x.impl === 'pytorch');
  console.log(`\n${c.name}: ${(params / 1e6).toFixed(2)} M params, ${tokensPerStep} tokens/step`);
  console.log('  impl       median ms   best ms   tokens/s   vs torch   peak RSS MB   MFU');
  for (const x of res) {
    const ratio = ref ? (x.tokens_per_s / ref.tokens_per_s).toFixed(2) + '×' : '-';
    console.log(
      `  ${x.impl.padEnd(9)} ${x.step_ms.toFixed(0).padStart(10)} ${x.best_ms.toFixed(0).padStart(9)} ${x.tokens_per_s.toFixed(0).padStart(10)} ${ratio.padStart(10)} ${x.peak_rss_mb.toFixed(0).padStart(13)} ${(x.mfu * 100).toFixed(1).padStart(5)}%`,
    );
  }
  rows.push({ config: key, params, results: res });
  if (!flag('no-profile')) {
    const prof = child({
      kind: 'train',
      cfg: c.cfg,
      batch: c.batch,
      steps: 1,
      warmup: 1,
      threads,
      mode: 'fused',
      profile: true,
    });
    console.log('  onnxruntime profile of one fused step (kernel time by op type):');
    for (const p of prof.profile.slice(0, 12))
      console.log(
        `    ${p.op.padEnd(26)} ${p.ms.toFixed(1).padStart(9)} ms ${(p.share * 100).toFixed(1).padStart(6)}%`,
      );
  }
}
console.log(`\n${JSON.stringify({ threads, steps, warmup, rounds, peak_flops: peak, rows })}`);
