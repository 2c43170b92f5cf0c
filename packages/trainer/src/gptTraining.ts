// The one place that turns a GPT-2 config and its weights into trainable onnxruntime
// sessions: the training graph (with dropout when the config has it), the dropout-free
// evaluation graph, the flat ParamStore, and factories for TrainStep and Evaluator.
// `train`, `benchTrain` and the tests build their steps through it.

import type { Graph } from '@spinettai/graph';
import { buildGptGraph, type GPTConfig, type Params, paramShapes, reseedDropout } from '@spinettai/model';
import { Evaluator } from './evaluate.js';
import { ParamStore } from './paramStore.js';
import type { SessionOptions } from './sessions.js';
import { type ModelIO, type OptimizerMode, TrainStep } from './step.js';

/** Input and output names of the GPT graph that the training sessions feed and read. */
export const GPT_IO: ModelIO = { inputIds: 'input_ids', targets: 'targets', loss: 'loss' };

/** Options of `GptTraining.create`. */
export interface GptTrainingOptions {
  /** Windows per micro-batch (B). */
  batch: number;
  /** Where AdamW runs. */
  optimizer: OptimizerMode;
  /** Micro-batches per optimizer step. */
  accum: number;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number | undefined;
}

/** Graphs + parameter store of one GPT-2 training shape (B, T = blockSize). */
export class GptTraining {
  private constructor(
    readonly cfg: GPTConfig,
    /** Parameters (and AdamW moments) in flat double buffers. */
    readonly store: ParamStore,
    private readonly trainGraph: Graph,
    private readonly evalGraph: Graph,
    private readonly o: GptTrainingOptions,
  ) {}

  /** Builds both graphs and a store loaded with `params` (and `moments`, when resuming). */
  static create(
    cfg: GPTConfig,
    params: Params,
    o: GptTrainingOptions,
    moments?: { m: Params; v: Params },
  ): GptTraining {
    const store = new ParamStore(paramShapes(cfg), o.optimizer === 'separate' || o.accum > 1);
    store.load('p', params);
    if (moments !== undefined) {
      store.load('m', moments.m);
      store.load('v', moments.v);
    }
    const shape = {
      batch: o.batch,
      seqLen: cfg.blockSize,
      params: 'inputs',
      targets: true,
      logits: false,
    } as const;
    const trainGraph = buildGptGraph(cfg, { ...shape, dropout: cfg.dropout > 0 ? { seed: 0 } : false }).graph;
    const evalGraph = buildGptGraph(cfg, shape).graph;
    return new GptTraining(cfg, store, trainGraph, evalGraph, o);
  }

  private sessionOptions(): { batch: number; seqLen: number } & SessionOptions {
    return {
      batch: this.o.batch,
      seqLen: this.cfg.blockSize,
      ...(this.o.threads === undefined ? {} : { threads: this.o.threads }),
    };
  }

  /** Training sessions whose dropout masks come from `dropoutSeed`. */
  newStep(dropoutSeed: number, extra: SessionOptions = {}): Promise<TrainStep> {
    return TrainStep.create((seed) => reseedDropout(this.trainGraph, seed), GPT_IO, this.store, {
      ...this.sessionOptions(),
      ...extra,
      mode: this.o.optimizer,
      accum: this.o.accum,
      dropoutSeed,
    });
  }

  /** A forward-only session over the store's current parameters (no dropout). */
  newEvaluator(): Promise<Evaluator> {
    return Evaluator.create(this.evalGraph, GPT_IO, this.store, this.sessionOptions());
  }
}
