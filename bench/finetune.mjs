// Fine-tuning GPT-2 small on CPU, side by side with PyTorch in one run: a full fine-tune
// and a LoRA fine-tune (frozen base, adapters on the chosen modules) at 12L/768/12H,
// block 256, batch 4, vocab 50,257 — GPT-2 small's shape, random weights and tokens (the
// step time does not depend on their values). Ours is benchTrain from the built trainer;
// PyTorch is bench/train_ref.py (same AdamW, LoRA written by hand), same thread count.
// Each measurement runs in its own child process, so peak RSS is per measurement.
// MFU = FLOPs per token · tokens/s ÷ peak matmul FLOP/s (a 2048³ onnxruntime MatMul
// measured here): 6·params per token for a full step, 4·params for LoRA (forward and input
// gradients; no weight gradients for the frozen base).
//
// Usage (build first: pnpm exec turbo run build --filter=@spinettai/trainer...):
//   node bench/finetune.mjs [--steps 3] [--warmup 1] [--threads N] [--lora-rank 8]
//                           [--lora-targets c_attn] [--no-torch]
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const trainerDist = pathToFileURL(join(root, 'packages/trainer/dist/index.js')).href;
const PY = '/usr/bin/python3';
const CFG = { nLayer: 12, nEmbd: 768, nHead: 12, blockSize: 256, vocabSize: 50257 };
const BATCH = 4;

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const flag = (name) => process.argv.includes(`--${name}`);

// ---------- child: one measurement of ours ----------
if (flag('child')) {
  const job = JSON.parse(arg('child'));
  const { benchTrain, measurePeakFlops } = await import(trainerDist);
  if (job.kind === 'peak') {
    console.log(JSON.stringify({ peak_flops: await measurePeakFlops({ threads: job.threads, reps: 10 }) }));
  } else {
    const r = await benchTrain(CFG, {
      batch: BATCH,
      steps: job.steps,
      warmup: job.warmup,
      threads: job.threads,
      lora: job.lora,
    });
    console.log(JSON.stringify(r));
  }
  process.exit(0);
}

// ---------- parent ----------
const threads = Number(arg('threads', String(availableParallelism())));
const steps = Number(arg('steps', '3'));
const warmup = Number(arg('warmup', '1'));
const rank = Number(arg('lora-rank', '8'));
const targets = arg('lora-targets', 'c_attn');
const withTorch =
  !flag('no-torch') && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

function child(job) {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

function torchRun(lora) {
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const args = [
    join(root, 'bench/train_ref.py'),
    ...['--layers', CFG.nLayer, '--embd', CFG.nEmbd, '--heads', CFG.nHead, '--block', CFG.blockSize],
    ...[
      '--vocab',
      CFG.vocabSize,
      '--batch',
      BATCH,
      '--steps',
      steps,
      '--warmup',
      warmup,
      '--threads',
      threads,
    ],
    ...(lora ? ['--lora-rank', rank, '--lora-alpha', 8, '--lora-targets', targets] : []),
  ].map(String);
  const out = execFileSync(PY, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').at(-1));
}

const t0 = Date.now();
console.log(
  `machine: ${availableParallelism()} cores, threads ${threads}; GPT-2 small shape ${JSON.stringify(CFG)}, batch ${BATCH}; ${steps} timed steps after ${warmup} warmup; LoRA rank ${rank} alpha 8 on ${targets}; node ${process.version}`,
);
const peak = child({ kind: 'peak', threads }).peak_flops;
console.log(`peak matmul (onnxruntime MatMul 2048³, fastest of 10): ${(peak / 1e9).toFixed(1)} GFLOP/s`);
const loraOpts = { rank, alpha: 8, targets: targets.split(',') };
const rows = [];
const add = (impl, r, lora) => {
  const flopsPerToken = (lora ? 4 : 6) * r.params;
  rows.push({
    impl,
    step_ms: r.step_ms,
    tokens_per_s: r.tokens_per_s,
    peak_rss_mb: r.peak_rss_mb,
    mfu: (flopsPerToken * r.tokens_per_s) / peak,
    trainable_params: r.trainable_params,
  });
  console.log(
    `  ${impl}: ${r.step_ms.toFixed(0)} ms/step, ${r.tokens_per_s.toFixed(1)} tokens/s, ${r.peak_rss_mb.toFixed(0)} MB`,
  );
};
add('ours full', child({ kind: 'train', threads, steps, warmup }), false);
add('ours lora', child({ kind: 'train', threads, steps, warmup, lora: loraOpts }), true);
if (withTorch) {
  add('torch full', torchRun(false), false);
  add('torch lora', torchRun(true), true);
} else console.log('PyTorch not importable (or --no-torch): reference skipped');

const by = Object.fromEntries(rows.map((r) => [r.impl, r]));
console.log('\n  impl         ms/step   tokens/s   peak RSS MB    MFU   trainable params');
for (const r of rows)
  console.log(
    `  ${r.impl.padEnd(11)} ${r.step_ms.toFixed(0).padStart(8)} ${r.tokens_per_s.toFixed(1).padStart(10)} ${r.peak_rss_mb.toFixed(0).padStart(13)} ${(r.mfu * 100).toFixed(1).padStart(5)}%   ${r.trainable_params}`,
  );
const ratio = (a, b) => (a && b ? (a.tokens_per_s / b.tokens_per_s).toFixed(2) : '-');
console.log(`\n  full: ours / PyTorch tokens/s = ${ratio(by['ours full'], by['torch full'])} (goal ≥ 1.3)`);
console.log(`  LoRA: ours / PyTorch tokens/s = ${ratio(by['ours lora'], by['torch lora'])}`);
console.log(
  `  ours LoRA / ours full: tokens/s ${ratio(by['ours lora'], by['ours full'])} (goal ≥ 1.5), peak RSS ${(by['ours lora'].peak_rss_mb / by['ours full'].peak_rss_mb).toFixed(2)} (goal ≤ 0.5)`,
);
console.log(`  wall time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(
  `JSON ${JSON.stringify({ cfg: CFG, batch: BATCH, threads, steps, warmup, peak_flops: peak, rows })}`,
);
