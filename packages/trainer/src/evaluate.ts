// Forward-only evaluation session: mean loss of the fixed validation windows under the
// current parameters (read zero-copy from the ParamStore). No dropout.

import type { Graph } from '@spinettai/graph';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import type { Batch } from './data.js';
import type { ParamStore } from './paramStore.js';
import { createSession, type SessionOptions } from './sessions.js';
import type { ModelIO } from './step.js';

/** Evaluates the loss of fixed batches with the store's current parameters. */
export class Evaluator {
  private constructor(
    private readonly session: InferenceSession,
    private readonly io: ModelIO,
    private readonly store: ParamStore,
    private readonly dims: readonly number[],
    private readonly frozen: Record<string, Tensor>,
  ) {}

  /** `forward` must be the dropout-free graph with a loss output for (batch, seqLen) windows. */
  static async create(
    forward: Graph,
    io: ModelIO,
    store: ParamStore,
    o: {
      batch: number;
      seqLen: number;
      /** Graph inputs that are not in the store (a LoRA run's frozen base weights). */
      frozen?: Record<string, Tensor> | undefined;
    } & SessionOptions,
  ): Promise<Evaluator> {
    const session = await createSession(forward, o);
    return new Evaluator(session, io, store, [o.batch, o.seqLen], { ...o.frozen });
  }

  /** Mean loss over `batches` (each batch's mean token loss, averaged). */
  async loss(batches: readonly Batch[]): Promise<number> {
    let sum = 0;
    for (const batch of batches) {
      const feeds: Record<string, Tensor> = {
        ...this.frozen,
        ...this.store.views('p'),
        [this.io.inputIds]: new Tensor('int64', batch.inputs, this.dims),
        [this.io.targets]: new Tensor('int64', batch.targets, this.dims),
      };
      const r = await this.session.run(feeds, [this.io.loss]);
      sum += Number((r[this.io.loss]!.data as Float32Array)[0]);
    }
    return sum / batches.length;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
