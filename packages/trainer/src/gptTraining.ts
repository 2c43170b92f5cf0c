// The one place that turns a GPT-2 config and its weights into trainable onnxruntime
// sessions: the training graph (with dropout when the config has it), the dropout-free
// evaluation graph, the flat ParamStore, and factories for TrainStep and Evaluator.
// With LoRA the store holds only the adapters' A and B (and their moments); the frozen
// base weights stay graph inputs fed zero-copy from their own buffers — as initializers
// GPT-2 small's 500 MB would be serialized into each session's model bytes and copied
// again by onnxruntime — and the backward graph differentiates only A and B.
// `train`, `benchTrain` and the tests build their steps through it.

import type { Graph } from '@spinettai/graph';
import {
  buildGptGraph,
  type GPTConfig,
  loraShapes,
  type Params,
  paramShapes,
  reseedDropout,
} from '@spinettai/model';
import type { Tensor } from 'onnxruntime-node';
import { Evaluator } from './evaluate.js';
import { frozenFeeds, type LoraSetup } from './lora.js';
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
    /** LoRA runs: the frozen base weights as session inputs (empty otherwise). */
    private readonly frozen: Record<string, Tensor>,
  ) {}

  /**
   * Builds both graphs and a store loaded with `params` (and `moments`, when resuming).
   * With `lora`, `params` are the adapters' tensors and `lora.base` the frozen weights.
   */
  static create(
    cfg: GPTConfig,
    params: Params,
    o: GptTrainingOptions,
    moments?: { m: Params; v: Params },
    lora?: LoraSetup,
  ): GptTraining {
    const shapes = lora === undefined ? paramShapes(cfg) : loraShapes(cfg, lora.config);
    const store = new ParamStore(shapes, o.optimizer === 'separate' || o.accum > 1);
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
      lora: lora?.config,
    } as const;
    const trainGraph = buildGptGraph(cfg, { ...shape, dropout: cfg.dropout > 0 ? { seed: 0 } : false }).graph;
    const evalGraph = buildGptGraph(cfg, shape).graph;
    const frozen = lora === undefined ? {} : frozenFeeds(lora.base);
    return new GptTraining(cfg, store, trainGraph, evalGraph, o, frozen);
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
      frozen: this.frozen,
      mode: this.o.optimizer,
      accum: this.o.accum,
      dropoutSeed,
    });
  }

  /** A forward-only session over the store's current parameters (no dropout). */
  newEvaluator(): Promise<Evaluator> {
    return Evaluator.create(this.evalGraph, GPT_IO, this.store, {
      ...this.sessionOptions(),
      frozen: this.frozen,
    });
  }
}
