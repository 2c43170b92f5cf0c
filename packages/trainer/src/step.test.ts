// The training step on a tiny GPT-2: updating parameters and moments in place equals
// writing them to separate buffers, fused vs separate AdamW agree, gradient
// accumulation (2 × B) matches one batch of 2B, and the model overfits one batch.
import { adamwScalars, OPT_INPUTS, SeededRandom } from '@spinettai/graph';
import { buildGptGraph, initParams, paramShapes, validateConfig } from '@spinettai/model';
import { Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from './data.js';
import { GPT_IO, GptTraining } from './gptTraining.js';
import { ParamStore } from './paramStore.js';
import { createSession } from './sessions.js';
import { fusedGraph, type OptimizerMode, type TrainStep } from './step.js';

const cfg = validateConfig({ vocabSize: 32, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0 });

function randomBatch(rng: SeededRandom, B: number, T: number): Batch {
  const n = B * T;
  return {
    inputs: BigInt64Array.from({ length: n }, () => BigInt(rng.nextInt(cfg.vocabSize))),
    targets: BigInt64Array.from({ length: n }, () => BigInt(rng.nextInt(cfg.vocabSize))),
  };
}

function concat(a: Batch, b: Batch): Batch {
  const cat = (x: BigInt64Array, y: BigInt64Array) => {
    const out = new BigInt64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { inputs: cat(a.inputs, b.inputs), targets: cat(a.targets, b.targets) };
}

async function makeStep(mode: OptimizerMode, accum: number, batch: number) {
  const model = GptTraining.create(cfg, initParams(cfg, 3), { batch, optimizer: mode, accum, threads: 1 });
  const step = await model.newStep(1);
  return { store: model.store, step };
}

const open: TrainStep[] = [];
afterAll(async () => {
  for (const s of open) await s.release();
});

describe('TrainStep', () => {
  it('updates parameters and moments in place exactly as into separate output buffers', async () => {
    const { store, step } = await makeStep('fused', 1, 4);
    open.push(step);
    // The reference: the same fused graph run with every new value written to a second
    // store (no input is ever overwritten), the two stores swapping roles after each step.
    const forward = buildGptGraph(cfg, {
      batch: 4,
      seqLen: cfg.blockSize,
      params: 'inputs',
      targets: true,
      logits: false,
    }).graph;
    const session = await createSession(fusedGraph(forward, GPT_IO, store, false), { threads: 1 });
    const ref = [new ParamStore(paramShapes(cfg), false), new ParamStore(paramShapes(cfg), false)] as const;
    ref[0].load('p', initParams(cfg, 3));
    let cur = 0;
    const initial = store.buffer('p').slice();
    const rng = new SeededRandom(21);
    for (let t = 1; t <= 4; t++) {
      const batch = randomBatch(rng, 4, cfg.blockSize);
      const opt = { t, lr: 3e-2, weightDecay: 0.1, gradClip: 1 };
      await step.run([batch], opt);
      const [from, to] = [ref[cur]!, ref[1 - cur]!];
      const scalars = adamwScalars({ ...opt, gradScale: 1 });
      const feeds: Record<string, Tensor> = {
        input_ids: new Tensor('int64', batch.inputs, [4, cfg.blockSize]),
        targets: new Tensor('int64', batch.targets, [4, cfg.blockSize]),
        ...from.views('p'),
      };
      for (const n of OPT_INPUTS) feeds[n] = new Tensor('float32', Float32Array.of(scalars[n]), []);
      for (const [name, t] of Object.entries(from.views('m'))) feeds[`m.${name}`] = t;
      for (const [name, t] of Object.entries(from.views('v'))) feeds[`v.${name}`] = t;
      const fetches: Record<string, Tensor | null> = { loss: null, grad_norm: null };
      for (const [prefix, k] of [
        ['new', 'p'],
        ['new_m', 'm'],
        ['new_v', 'v'],
      ] as const)
        for (const [name, t] of Object.entries(to.views(k))) fetches[`${prefix}.${name}`] = t;
      await session.run(feeds, fetches);
      cur = 1 - cur;
      for (const k of ['p', 'm', 'v'] as const)
        expect(Buffer.from(store.buffer(k).buffer).equals(Buffer.from(to.buffer(k).buffer))).toBe(true);
    }
    expect(Buffer.from(store.buffer('p').buffer).equals(Buffer.from(initial.buffer))).toBe(false); // it trained
    await session.release();
  });

  it('fused and separate AdamW give the same losses and parameters', async () => {
    const runs: { losses: number[]; p: Float32Array }[] = [];
    for (const mode of ['fused', 'separate'] as const) {
      const { store, step } = await makeStep(mode, 1, 4);
      open.push(step);
      const rng = new SeededRandom(11);
      const losses: number[] = [];
      for (let t = 1; t <= 5; t++) {
        const r = await step.run([randomBatch(rng, 4, cfg.blockSize)], {
          t,
          lr: 1e-2,
          weightDecay: 0.1,
          gradClip: 1,
        });
        losses.push(r.loss);
      }
      runs.push({ losses, p: store.buffer('p').slice() });
    }
    for (let i = 0; i < 5; i++) expect(runs[1]!.losses[i]).toBeCloseTo(runs[0]!.losses[i]!, 5);
    let maxDiff = 0;
    runs[0]!.p.forEach((x, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(x - runs[1]!.p[i]!));
    });
    expect(maxDiff).toBeLessThan(1e-5);
    expect(runs[0]!.losses[4]).toBeLessThan(runs[0]!.losses[0]!);
  });

  for (const mode of ['fused', 'separate'] as const) {
    it(`${mode}: accumulating 2 × B matches one batch of 2B`, async () => {
      const big = await makeStep(mode, 1, 4);
      const acc = await makeStep(mode, 2, 2);
      open.push(big.step, acc.step);
      const rng = new SeededRandom(5);
      for (let t = 1; t <= 3; t++) {
        const a = randomBatch(rng, 2, cfg.blockSize);
        const b = randomBatch(rng, 2, cfg.blockSize);
        const opt = { t, lr: 1e-2, weightDecay: 0.1, gradClip: 0.5 };
        const r1 = await big.step.run([concat(a, b)], opt);
        const r2 = await acc.step.run([a, b], opt);
        expect(r2.loss).toBeCloseTo(r1.loss, 5);
        expect(r2.gradNorm).toBeCloseTo(r1.gradNorm, 4);
      }
      let maxDiff = 0;
      big.store.buffer('p').forEach((x, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(x - acc.store.buffer('p')[i]!));
      });
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }

  it('overfits one batch (loss < 0.1)', async () => {
    const { step } = await makeStep('fused', 1, 4);
    open.push(step);
    const batch = randomBatch(new SeededRandom(9), 4, cfg.blockSize);
    let loss = Number.POSITIVE_INFINITY;
    for (let t = 1; t <= 150 && loss >= 0.1; t++)
      loss = (await step.run([batch], { t, lr: 3e-2, weightDecay: 0, gradClip: 1 })).loss;
    expect(loss).toBeLessThan(0.1);
  });
});
