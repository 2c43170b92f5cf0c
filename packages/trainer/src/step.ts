// The training step: forward + loss + backward (+ AdamW) as onnxruntime sessions over
// the flat ParamStore. Two variants:
//   'fused'    — AdamW and clipping are appended to the backward graph: one session run
//                per optimizer step (plus one gradient-only run per extra micro-batch).
//   'separate' — a gradient session writes gradients into a flat buffer, then a small
//                optimizer graph updates the two flat segments (decayed / not decayed).
// Gradient accumulation: micro-batch gradients are summed inside the graph
// (acc_out = acc_in + g, ping-pong buffers) and scaled by 1/accum in the optimizer.
// Every output is written by onnxruntime into a pre-allocated view: parameters and moments
// over their own inputs (updated in place, see ParamStore), gradient sums into the other
// accumulator.

import {
  type AdamWStep,
  adamwScalars,
  addAdamW,
  buildGradientGraph,
  type Graph,
  GraphBuilder,
  OPT_INPUTS,
} from '@spinettai/graph';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import type { Batch } from './data.js';
import { TrainerError } from './errors.js';
import type { ParamStore } from './paramStore.js';
import { RNG_STREAMS } from './rng.js';
import { createSession, type SessionOptions } from './sessions.js';

/** Where AdamW runs. */
export type OptimizerMode = 'fused' | 'separate';

/** Names of the model graph's token inputs and loss output. */
export interface ModelIO {
  inputIds: string;
  targets: string;
  loss: string;
}

/** What one optimizer step reports. */
export interface StepResult {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping (of the accumulated, averaged gradient). */
  gradNorm: number;
}

const gradSum = (p: string) => `grad_sum.${p}`;
const accIn = (p: string) => `acc.${p}`;
const newOut = (p: string) => ({ param: `new.${p}`, m: `new_m.${p}`, v: `new_v.${p}` });

/** Forward + backward; with `acc`, outputs acc_in + grad under `grad_sum.<param>`. Also returns the grad output names. */
export function gradientGraph(
  forward: Graph,
  io: ModelIO,
  params: readonly string[],
  acc: boolean,
): { graph: Graph; outputs: Map<string, string> } {
  const { graph, grads } = buildGradientGraph(forward, {
    loss: io.loss,
    wrt: [...params],
    outputGradients: false,
  });
  const b = GraphBuilder.extend(graph);
  b.output(b.value(io.loss));
  const outputs = new Map<string, string>();
  for (const p of params) {
    const g = grads.get(p);
    if (g === undefined) throw new Error(`autodiff returned no gradient for parameter '${p}'`);
    const gv = b.value(g);
    const out = acc
      ? b.op1('Add', [b.input(accIn(p), 'float32', gv.shape), gv], {}, { outputNames: [gradSum(p)] })
      : gv;
    b.output(out);
    outputs.set(p, out.name);
  }
  return { graph: b.build(), outputs };
}

/** Forward + backward + clipping + AdamW in one graph; outputs loss, grad_norm and new.<p>/new_m.<p>/new_v.<p>. */
export function fusedGraph(forward: Graph, io: ModelIO, store: ParamStore, acc: boolean): Graph {
  const params = store.slots.map((s) => s.name);
  const { graph, outputs } = gradientGraph(forward, io, params, acc);
  const b = GraphBuilder.extend(graph, { keepOutputs: false });
  b.output(b.value(io.loss));
  const slots = store.slots.map((s) => ({
    param: b.value(s.name),
    grad: b.value(outputs.get(s.name)!),
    m: b.input(`m.${s.name}`, 'float32', s.dims),
    v: b.input(`v.${s.name}`, 'float32', s.dims),
    decay: s.decay,
  }));
  const { updated, gradNorm } = addAdamW(b, slots, (i) => newOut(store.slots[i]!.name));
  b.output(gradNorm, 'grad_norm');
  for (const u of updated) {
    b.output(u.param);
    b.output(u.m);
    b.output(u.v);
  }
  return b.build();
}

/** The flat optimizer graph of the 'separate' variant over the two segments of the store. */
export function optimizerGraph(store: ParamStore): Graph {
  const b = new GraphBuilder('adamw');
  const segs = [
    { key: 'decay', n: store.nDecay, decay: true },
    { key: 'rest', n: store.nTotal - store.nDecay, decay: false },
  ];
  if (segs.some((s) => s.n === 0))
    throw new TrainerError(
      'the separate optimizer graph needs both 2-D (decayed) and other parameters; use the fused optimizer',
    );
  const slots = segs.map((s) => ({
    param: b.input(`p.${s.key}`, 'float32', [s.n]),
    grad: b.input(`g.${s.key}`, 'float32', [s.n]),
    m: b.input(`m.${s.key}`, 'float32', [s.n]),
    v: b.input(`v.${s.key}`, 'float32', [s.n]),
    decay: s.decay,
  }));
  const { updated, gradNorm } = addAdamW(b, slots, (i) => newOut(segs[i]!.key));
  b.output(gradNorm, 'grad_norm');
  for (const u of updated) {
    b.output(u.param);
    b.output(u.m);
    b.output(u.v);
  }
  return b.build();
}

function scalar(x: number): Tensor {
  return new Tensor('float32', Float32Array.of(x), []);
}

/** Sessions of one training shape; rebuild (release + create) to reseed dropout. */
export class TrainStep {
  private constructor(
    private readonly store: ParamStore,
    private readonly io: ModelIO,
    readonly mode: OptimizerMode,
    readonly accum: number,
    private readonly main: InferenceSession,
    private readonly gradAcc: InferenceSession | undefined,
    private readonly gradOutputs: Map<string, string>,
    private readonly batchDims: readonly number[],
    /** Inputs that are not trained (a LoRA run's base weights). */
    private readonly frozen: Record<string, Tensor>,
  ) {}

  /**
   * Builds the sessions. `forward(seed)` returns the training forward graph whose dropout
   * nodes are seeded from `seed` (each session gets its own seed).
   */
  static async create(
    forward: (dropoutSeed: number) => Graph,
    io: ModelIO,
    store: ParamStore,
    o: {
      mode: OptimizerMode;
      accum: number;
      dropoutSeed: number;
      batch: number;
      seqLen: number;
      /** Graph inputs fed as they are and never differentiated (a LoRA run's base weights). */
      frozen?: Record<string, Tensor> | undefined;
    } & SessionOptions,
  ): Promise<TrainStep> {
    const params = store.slots.map((s) => s.name);
    let main: InferenceSession;
    let gradAcc: InferenceSession | undefined;
    let gradOutputs = new Map<string, string>();
    if (o.mode === 'fused') {
      main = await createSession(fusedGraph(forward(o.dropoutSeed), io, store, o.accum > 1), o);
      if (o.accum > 1) {
        const g = gradientGraph(forward(o.dropoutSeed ^ RNG_STREAMS.accumXor), io, params, true);
        gradAcc = await createSession(g.graph, o);
        gradOutputs = g.outputs;
      }
    } else {
      const g = gradientGraph(forward(o.dropoutSeed ^ RNG_STREAMS.accumXor), io, params, o.accum > 1);
      gradAcc = await createSession(g.graph, o);
      gradOutputs = g.outputs;
      main = await createSession(optimizerGraph(store), o);
    }
    return new TrainStep(store, io, o.mode, o.accum, main, gradAcc, gradOutputs, [o.batch, o.seqLen], {
      ...o.frozen,
    });
  }

  private tokens(batch: Batch): Record<string, Tensor> {
    return {
      [this.io.inputIds]: new Tensor('int64', batch.inputs, this.batchDims),
      [this.io.targets]: new Tensor('int64', batch.targets, this.batchDims),
    };
  }

  /** Runs a gradient-only micro-batch: gradients (plus buffer `accFrom` when accumulating) into buffer `to`. */
  private async gradRun(batch: Batch, accFrom: 0 | 1 | undefined, to: 0 | 1): Promise<number> {
    const s = this.store;
    const feeds: Record<string, Tensor> = { ...this.tokens(batch), ...this.frozen, ...s.views('p') };
    if (accFrom !== undefined)
      for (const [name, t] of Object.entries(s.views('g', accFrom))) feeds[accIn(name)] = t;
    const fetches: Record<string, Tensor | null> = { [this.io.loss]: null };
    const outViews = s.views('g', to);
    for (const [p, out] of this.gradOutputs) fetches[out] = outViews[p]!;
    const r = await this.gradAcc!.run(feeds, fetches);
    return Number((r[this.io.loss]!.data as Float32Array)[0]);
  }

  /** One optimizer step over `batches.length === accum` micro-batches. */
  async run(batches: readonly Batch[], opt: Omit<AdamWStep, 'gradScale'>): Promise<StepResult> {
    if (batches.length !== this.accum)
      throw new RangeError(`expected ${this.accum} micro-batches, got ${batches.length}`);
    const s = this.store;
    const scalars = adamwScalars({ ...opt, gradScale: 1 / this.accum });
    const optFeeds: Record<string, Tensor> = {};
    for (const n of OPT_INPUTS) optFeeds[n] = scalar(scalars[n]);
    let lossSum = 0;
    // Gradient-only micro-batches (all of them in 'separate' mode, all but the last in 'fused').
    const gradRuns = this.mode === 'fused' ? this.accum - 1 : this.accum;
    let g: 0 | 1 = 0;
    if (this.accum > 1) s.buffer('g', 0).fill(0);
    for (let i = 0; i < gradRuns; i++) {
      lossSum += await this.gradRun(batches[i]!, this.accum > 1 ? g : undefined, (1 - g) as 0 | 1);
      g = (1 - g) as 0 | 1;
    }
    // Parameters and moments are updated in place: each output view is its input's (ParamStore).
    const fetches: Record<string, Tensor | null> = { grad_norm: null };
    let feeds: Record<string, Tensor>;
    if (this.mode === 'fused') {
      feeds = { ...optFeeds, ...this.tokens(batches[this.accum - 1]!), ...this.frozen, ...s.views('p') };
      for (const [name, t] of Object.entries(s.views('m'))) feeds[`m.${name}`] = t;
      for (const [name, t] of Object.entries(s.views('v'))) feeds[`v.${name}`] = t;
      if (this.accum > 1) for (const [name, t] of Object.entries(s.views('g', g))) feeds[accIn(name)] = t;
      fetches[this.io.loss] = null;
      const np = s.views('p');
      const nm = s.views('m');
      const nv = s.views('v');
      for (const sl of s.slots) {
        const n = newOut(sl.name);
        fetches[n.param] = np[sl.name]!;
        fetches[n.m] = nm[sl.name]!;
        fetches[n.v] = nv[sl.name]!;
      }
    } else {
      feeds = { ...optFeeds };
      for (const k of ['p', 'm', 'v', 'g'] as const) {
        const seg = s.segments(k, k === 'g' ? g : 0);
        feeds[`${k}.decay`] = seg.decay;
        feeds[`${k}.rest`] = seg.rest;
        if (k === 'g') continue;
        const prefix = k === 'p' ? 'new' : `new_${k}`;
        fetches[`${prefix}.decay`] = seg.decay;
        fetches[`${prefix}.rest`] = seg.rest;
      }
    }
    const r = await this.main.run(feeds, fetches);
    if (this.mode === 'fused') lossSum += Number((r[this.io.loss]!.data as Float32Array)[0]);
    return { loss: lossSum / this.accum, gradNorm: Number((r['grad_norm']!.data as Float32Array)[0]) };
  }

  /** Frees the native sessions. */
  async release(): Promise<void> {
    await this.main.release();
    await this.gradAcc?.release();
  }
}
