#!/usr/bin/env node
// Quantized exports, quality and speed in one run, printed as ratios against fp32:
//   1. quality — tokenize the demo corpus, train a small GPT-2 for a minute or two, export
//      it with --quantize q8,q4,fp16 and compute validation loss / perplexity of every
//      file on the val split (plus the variants the README's wte trade-off compares:
//      the tied embedding kept float32, and q8 as DequantizeLinear + MatMul);
//   2. speed — at the seed config (8L/512/8H, block 64, vocab 4096, random weights):
//      new tokens/s per dtype, batch 1, greedy, dtypes interleaved round by round so a
//      busy machine slows them alike, medians; plus this machine's memcpy bandwidth and
//      the effective bandwidth each dtype reaches (weight bytes read per token / time);
//      then our TextGenerator against transformers.js on the same export files, both
//      timed as t(1 + n tokens) − t(1 token) through their generation APIs.
//
//   pnpm exec turbo run build --filter=@spinettai/trainer...
//   node bench/quantize.mjs [--only quality|speed] [--train-seconds 150] [--threads N]
//                           [--rounds 5] [--new-tokens 48] [--run <run folder>] [--json out.json]
//
// --run reuses a run folder (data/ + checkpoints/best, e.g. from `spinettai demo`) instead
// of training one.

import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'train-seconds': { type: 'string', default: '150' },
    threads: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '5' },
    'new-tokens': { type: 'string', default: '48' },
    run: { type: 'string' },
    work: { type: 'string', default: join(tmpdir(), 'spinettai-quantize-bench') },
    json: { type: 'string' },
  },
});
const threads = Number(args.threads);

async function load(pkg, entry = 'index.js') {
  const path = join(root, 'packages', pkg, 'dist', entry);
  return import(path).catch(() => {
    console.error(
      `${path} is missing: run \`pnpm exec turbo run build --filter=@spinettai/trainer...\` first`,
    );
    process.exit(1);
  });
}
const model = await load('model');
const modelNode = await load('model', 'node.js');
const graph = await load('graph');
const ort = createRequire(join(root, 'packages', 'model', 'package.json'))('onnxruntime-node');

const DTYPES = ['fp32', 'q8', 'q4', 'fp16'];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sessionOptions = { intraOpNumThreads: threads, graphOptimizationLevel: 'all', logSeverityLevel: 3 };
const bytesOf = (g) => graph.serializeModel(g, { extraOpsets: modelNode.extraOpsets(g) });

function emptyPast(cfg, batch) {
  const feeds = {};
  const D = cfg.nEmbd / cfg.nHead;
  for (let i = 0; i < cfg.nLayer; i++)
    for (const kind of ['key', 'value'])
      feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [
        batch,
        cfg.nHead,
        0,
        D,
      ]);
  return feeds;
}

/** Mean next-token cross-entropy over non-overlapping val windows of blockSize + 1 tokens. */
async function valLoss(source, cfg, val) {
  const session = await ort.InferenceSession.create(source, sessionOptions);
  try {
    const T = cfg.blockSize;
    const V = cfg.vocabSize;
    let total = 0;
    let count = 0;
    const B = 8;
    const starts = [];
    for (let s = 0; s + T + 1 <= val.length; s += T) starts.push(s);
    for (let i = 0; i < starts.length; i += B) {
      const batch = starts.slice(i, i + B);
      const ids = new BigInt64Array(batch.length * T);
      batch.forEach((s, b) => {
        for (let t = 0; t < T; t++) ids[b * T + t] = BigInt(val[s + t]);
      });
      const out = await session.run({
        input_ids: new ort.Tensor('int64', ids, [batch.length, T]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(batch.length * T).fill(1n), [
          batch.length,
          T,
        ]),
        position_ids: new ort.Tensor(
          'int64',
          BigInt64Array.from({ length: batch.length * T }, (_, k) => BigInt(k % T)),
          [batch.length, T],
        ),
        ...emptyPast(cfg, batch.length),
      });
      const logits = out.logits.data;
      batch.forEach((s, b) => {
        for (let t = 0; t < T; t++) {
          const row = (b * T + t) * V;
          let max = -Infinity;
          for (let v = 0; v < V; v++) max = Math.max(max, logits[row + v]);
          let z = 0;
          for (let v = 0; v < V; v++) z += Math.exp(logits[row + v] - max);
          total += Math.log(z) + max - logits[row + val[s + t + 1]];
          count++;
        }
      });
    }
    return { loss: total / count, tokens: count };
  } finally {
    await session.release();
  }
}

async function quality() {
  const work = args.work;
  let runDir = args.run;
  if (runDir === undefined) {
    const { tokenizeCorpus } = await load('tokenizer', 'node.js');
    const { train } = await load('trainer');
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    runDir = join(work, 'run');
    const dataDir = join(runDir, 'data');
    const { meta } = await tokenizeCorpus({
      corpusPath: join(root, 'apps', 'cli', 'data', 'demo-corpus.jsonl'),
      outDir: dataDir,
      vocabSize: 512,
      minFrequency: 2,
      valFraction: 0.1,
      seed: 1,
    });
    console.log(
      `demo corpus: vocab ${meta.vocab_size}, ${meta.splits.train.tokens} train / ${meta.splits.val.tokens} val tokens`,
    );
    const t0 = performance.now();
    const summary = await train({
      dataDir,
      outDir: runDir,
      // The demo's model with a shorter window and batch: more steps in the time budget.
      model: { nLayer: 4, nEmbd: 128, nHead: 4, blockSize: 64 },
      batchSize: 8,
      steps: 2000,
      maxTimeSeconds: Number(args['train-seconds']),
      lr: 2e-3,
      minLr: 2e-4,
      warmupSteps: 20,
      dropout: 0.1,
      evalEvery: 50,
      evalBatches: 4,
      saveEvery: 50,
      seed: 1,
    });
    console.log(
      `trained ${summary.step} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s (stopped by ${summary.stoppedBy}; best val loss ${summary.bestValLoss?.toFixed(3)} at step ${summary.bestStep})`,
    );
  }
  const { loadDataset } = await load('trainer');
  const data = await loadDataset(join(runDir, 'data'));
  const best = join(runDir, 'checkpoints', 'best');
  const exportDir = join(work, 'export');
  await rm(exportDir, { recursive: true, force: true });
  await modelNode.exportOnnx(best, exportDir, { quantize: ['q8', 'q4', 'fp16'] });
  const ckpt = await modelNode.loadCheckpoint(best);
  const cfg = ckpt.config;
  const val = Array.from(data.val);

  const rows = [];
  for (const dtype of DTYPES) {
    const path = await modelNode.modelFileForDtype(exportDir, dtype);
    const { loss, tokens } = await valLoss(path, cfg, val);
    rows.push({
      variant: `${dtype} (${model.MODEL_FILE_FOR_DTYPE[dtype]})`,
      dtype,
      loss,
      tokens,
      bytes: (await stat(path)).size,
    });
  }
  const fp32Graph = model.buildKvCacheGraph(cfg, ckpt.params);
  const extra = [
    ['q8, wte float32', 'q8', { embedding: 'float32' }],
    ['q4, wte float32', 'q4', { embedding: 'float32' }],
    ['q8 DequantizeLinear+MatMul', 'q8', { q8Kernel: 'dequantize' }],
  ];
  for (const [variant, dtype, opts] of extra) {
    const bytes = bytesOf(model.quantizeGraph(fp32Graph, dtype, opts));
    rows.push({ variant, dtype, loss: (await valLoss(bytes, cfg, val)).loss, bytes: bytes.byteLength });
  }
  const base = rows[0];
  console.log(
    `\nvalidation (${base.tokens} val tokens, ${cfg.nLayer}L/${cfg.nEmbd}/${cfg.nHead}H, block ${cfg.blockSize}, vocab ${cfg.vocabSize})`,
  );
  console.log('variant                          val loss   Δ vs fp32   perplexity   file MB   size vs fp32');
  for (const r of rows) {
    r.delta = r.loss / base.loss - 1;
    r.perplexity = Math.exp(r.loss);
    console.log(
      [
        r.variant.padEnd(32),
        r.loss.toFixed(4).padStart(8),
        `${(100 * r.delta).toFixed(2)}%`.padStart(11),
        r.perplexity.toFixed(2).padStart(12),
        (r.bytes / 1e6).toFixed(2).padStart(9),
        `${(r.bytes / base.bytes).toFixed(3)}×`.padStart(14),
      ].join(' '),
    );
  }
  return rows;
}

/** memcpy bandwidth of this machine: bytes copied per second (each byte is read once and written once). */
function memcpyGBs() {
  const n = 256 << 20;
  const a = Buffer.alloc(n, 1);
  const b = Buffer.alloc(n);
  a.copy(b);
  const rates = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    a.copy(b);
    rates.push(n / ((performance.now() - t0) / 1000) / 1e9);
  }
  return median(rates);
}

/** Decodes `newTokens` greedily after an 8-token prompt; returns new tokens per second. */
async function decodeRate(session, cfg, newTokens) {
  let past = emptyPast(cfg, 1);
  let ids = Array.from({ length: 8 }, (_, i) => (i * 97) % cfg.vocabSize);
  let pos = 0;
  let t0 = 0;
  for (let n = 0; n <= newTokens; n++) {
    if (n === 1) t0 = performance.now(); // the first token comes from the prefill
    const T = ids.length;
    const out = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(pos + T).fill(1n), [1, pos + T]),
      position_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (_, i) => BigInt(pos + i)),
        [1, T],
      ),
      ...past,
    });
    pos += T;
    past = {};
    for (let i = 0; i < cfg.nLayer; i++)
      for (const kind of ['key', 'value']) past[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`];
    const V = cfg.vocabSize;
    const last = out.logits.data.subarray((T - 1) * V);
    let arg = 0;
    for (let v = 1; v < V; v++) if (last[v] > last[arg]) arg = v;
    ids = [arg];
  }
  return (newTokens * 1000) / (performance.now() - t0);
}

/** Share of kernel time per op type over a short profiled decode (onnxruntime's profiler). */
async function profileOps(bytes, cfg, dir) {
  await mkdir(dir, { recursive: true });
  const session = await ort.InferenceSession.create(bytes, {
    ...sessionOptions,
    enableProfiling: true,
    profileFilePrefix: join(dir, 'ort'),
  });
  await decodeRate(session, cfg, 24);
  session.endProfiling();
  await session.release();
  const { readdir, readFile } = await import('node:fs/promises');
  const file = (await readdir(dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .at(-1);
  const events = JSON.parse(await readFile(join(dir, file), 'utf8'));
  await rm(dir, { recursive: true, force: true });
  const byOp = new Map();
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    total += e.dur;
  }
  return [...byOp].sort((a, b) => b[1] - a[1]).map(([op, us]) => ({ op, share: us / total }));
}

/** A seed-config export folder (random weights, every dtype) that transformers.js can load. */
async function writeSeedExport(dir, cfg, fp32Graph) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await modelNode.writeOnnxFile(fp32Graph, join(dir, 'onnx', 'model.onnx'));
  await modelNode.writeQuantizedModels(fp32Graph, join(dir, 'onnx'), ['q8', 'q4', 'fp16']);
  const config = { ...model.toHfConfig(cfg, { bosTokenId: 0, eosTokenId: 0 }), use_cache: true };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
}

/** A dtype's file in an export folder, named as transformers.js names it (`onnx/model_q4.onnx`, …). */
const fileOf = (dir, dtype) => join(dir, 'onnx', model.MODEL_FILE_FOR_DTYPE[dtype]);

/**
 * A model timed as both generators are: `generate(n)` greedily generates n new tokens after
 * the same 8-token prompt; new tokens/s = n / (t(1 + n) − t(1)), after one warm-up.
 */
async function timedModel(generate, newTokens, dispose) {
  const time = async (n) => {
    const t0 = performance.now();
    await generate(n);
    return performance.now() - t0;
  };
  await time(8); // warm-up
  return {
    rate: async () => {
      const one = await time(1);
      return (newTokens * 1000) / ((await time(1 + newTokens)) - one);
    },
    dispose,
  };
}

/** Our TextGenerator (what `generate` and the library run) on the same files, one per dtype. */
async function textGenerators(dir, dtypes, cfg, newTokens) {
  const prompt = Array.from({ length: 8 }, (_, i) => (i * 97) % cfg.vocabSize);
  const models = {};
  for (const dtype of dtypes) {
    const g = await model.TextGenerator.create({ ort, model: fileOf(dir, dtype), config: cfg, threads });
    const generate = async (n) => {
      const r = await g.generateIds(prompt, { temperature: 0, maxNewTokens: n, stopTokenIds: [] });
      if (r.ids.length !== n) throw new Error(`TextGenerator gave ${r.ids.length} tokens, asked for ${n}`);
    };
    models[dtype] = await timedModel(generate, newTokens, () => g.release());
  }
  return models;
}

/** transformers.js on the same files, one model per dtype. */
async function transformersJsModels(dir, dtypes, cfg, newTokens) {
  const req = createRequire(join(root, 'packages', 'model', 'package.json'));
  const tjs = await import(pathToFileURL(req.resolve('@huggingface/transformers')).href);
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;
  tjs.env.useFSCache = false;
  tjs.env.localModelPath = `${dirname(dir)}/`;
  const prompt = Array.from({ length: 8 }, (_, i) => BigInt((i * 97) % cfg.vocabSize));
  const models = {};
  for (const dtype of dtypes) {
    const m = await tjs.AutoModelForCausalLM.from_pretrained(basename(dir), {
      dtype,
      local_files_only: true,
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
    });
    const generate = (n) =>
      m.generate({
        input_ids: new tjs.Tensor('int64', BigInt64Array.from(prompt), [1, 8]),
        attention_mask: new tjs.Tensor('int64', new BigInt64Array(8).fill(1n), [1, 8]),
        max_new_tokens: n,
        min_new_tokens: n,
        do_sample: false,
      });
    models[dtype] = await timedModel(generate, newTokens, () => m.dispose());
  }
  return models;
}

async function speed() {
  const cfg = model.validateConfig({ nLayer: 8, nEmbd: 512, nHead: 8, blockSize: 64, vocabSize: 4096 });
  const newTokens = Math.min(Number(args['new-tokens']), cfg.blockSize - 8);
  const fp32Graph = model.buildKvCacheGraph(cfg, model.initParams(cfg, 1234));
  const variants = [
    ...DTYPES.map((d) => [d, d === 'fp32' ? fp32Graph : model.quantizeGraph(fp32Graph, d)]),
    ['q8 DequantizeLinear+MatMul', model.quantizeGraph(fp32Graph, 'q8', { q8Kernel: 'dequantize' })],
    ['q8, wte float32', model.quantizeGraph(fp32Graph, 'q8', { embedding: 'float32' })],
    ['q4, wte float32', model.quantizeGraph(fp32Graph, 'q4', { embedding: 'float32' })],
  ];
  const sessions = [];
  for (const [name, g] of variants) {
    // Bytes read per generated token: every initializer once (fp16: the float32 copy made at load).
    let weightBytes = 0;
    for (const t of g.initializers.values())
      weightBytes += name === 'fp16' && t.dtype === 'float16' ? 2 * t.data.byteLength : t.data.byteLength;
    const session = await ort.InferenceSession.create(bytesOf(g), sessionOptions);
    await decodeRate(session, cfg, 8); // warm-up
    sessions.push({ name, session, weightBytes, rates: [] });
  }
  const seedExport = join(args.work, 'seed-export');
  await writeSeedExport(seedExport, cfg, fp32Graph);
  const ourModels = await textGenerators(seedExport, DTYPES, cfg, newTokens);
  const theirModels = await transformersJsModels(seedExport, DTYPES, cfg, newTokens);
  const ourRates = Object.fromEntries(DTYPES.map((d) => [d, []]));
  const theirRates = Object.fromEntries(DTYPES.map((d) => [d, []]));
  // Interleaved: each round times every variant: the bare session, then our TextGenerator and
  // transformers.js on the same file (alternating which of the two goes first).
  const rounds = Number(args.rounds);
  for (let r = 0; r < rounds; r++)
    for (const s of sessions) {
      s.rates.push(await decodeRate(s.session, cfg, newTokens));
      if (theirModels[s.name] === undefined) continue;
      const pair = [
        async () => ourRates[s.name].push(await ourModels[s.name].rate()),
        async () => theirRates[s.name].push(await theirModels[s.name].rate()),
      ];
      if (r % 2) pair.reverse();
      for (const f of pair) await f();
    }
  for (const m of [...Object.values(ourModels), ...Object.values(theirModels)]) await m.dispose();
  const ours = Object.fromEntries(DTYPES.map((d) => [d, median(ourRates[d])]));
  const tjs = Object.fromEntries(DTYPES.map((d) => [d, median(theirRates[d])]));
  const bw = memcpyGBs();
  const base = median(sessions[0].rates);
  console.log(
    `\nspeed at the seed config (8L/512/8H, block 64, vocab 4096), ${threads} threads, 8-token prompt + ${newTokens} new tokens, median of ${rounds} interleaved rounds, load average ${loadavg()[0].toFixed(1)} (the machine is shared: ratios matter, absolute numbers less)`,
  );
  console.log(`memcpy: ${bw.toFixed(1)} GB/s copied (${(2 * bw).toFixed(1)} GB/s of read + write traffic)`);
  console.log(
    'variant                          tok/s   vs fp32   ms/token   weight MB/token   effective GB/s   TextGenerator tok/s   transformers.js tok/s   ours / theirs',
  );
  const rows = [];
  for (const s of sessions) {
    const rate = median(s.rates);
    const gbs = (s.weightBytes * rate) / 1e9;
    rows.push({
      variant: s.name,
      tokens_per_s: rate,
      ratio: rate / base,
      ms_per_token: 1000 / rate,
      weight_mb: s.weightBytes / 1e6,
      effective_gbs: gbs,
      text_generator_tokens_per_s: ours[s.name] ?? null,
      transformers_js_tokens_per_s: tjs[s.name] ?? null,
    });
    console.log(
      [
        s.name.padEnd(30),
        rate.toFixed(1).padStart(7),
        `${(rate / base).toFixed(2)}×`.padStart(9),
        (1000 / rate).toFixed(2).padStart(10),
        (s.weightBytes / 1e6).toFixed(1).padStart(17),
        gbs.toFixed(1).padStart(16),
        (ours[s.name] === undefined ? '—' : ours[s.name].toFixed(1)).padStart(21),
        (tjs[s.name] === undefined ? '—' : tjs[s.name].toFixed(1)).padStart(23),
        (tjs[s.name] === undefined ? '—' : `${(ours[s.name] / tjs[s.name]).toFixed(2)}×`).padStart(15),
      ].join(' '),
    );
    await s.session.release();
  }
  const profiles = {};
  for (const [name, g] of variants.slice(0, 3)) {
    profiles[name] = await profileOps(bytesOf(g), cfg, join(args.work, `profile-${name}`));
    const top = profiles[name].slice(0, 6).map((p) => `${p.op} ${(100 * p.share).toFixed(0)}%`);
    console.log(`kernel time by op, ${name}: ${top.join(', ')}`);
  }
  return { memcpy_gbs: bw, rows, profiles };
}

const result = { threads, load_average: loadavg() };
if (args.only !== 'speed') result.quality = await quality();
if (args.only !== 'quality') result.speed = await speed();
if (args.json) await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`);
