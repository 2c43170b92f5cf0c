// A KV-cache decoder on onnxruntime-node: owns one InferenceSession of the
// Optimum-layout graph (kvGraph.ts, or an exported onnx/model.onnx) and the current
// past keys/values of a single sequence (batch 1). `prefill` starts a sequence from
// scratch (empty past), `step` appends one token and reuses the cache.

import { InferenceSession, Tensor } from 'onnxruntime-node';
import { GenerationError } from './errors.js';
import { pastName, presentName } from './kvGraph.js';

/** The model dimensions a decoder needs to shape its inputs. */
export interface DecoderDims {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  vocabSize: number;
}

/** Options of the onnxruntime session. */
export interface DecoderSessionOptions {
  /** Intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
}

/** Session options used for every decoder session. */
export function sessionOptions(o: DecoderSessionOptions = {}): InferenceSession.SessionOptions {
  const opts: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  };
  if (o.threads !== undefined) opts.intraOpNumThreads = o.threads;
  return opts;
}

function int64(values: readonly number[]): Tensor {
  return new Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    [1, values.length],
  );
}

/** A single-sequence KV-cache decoder. Call `release()` when done. */
export class KvDecoder {
  private past: Tensor[] = [];
  private cacheLength = 0;
  private released = false;

  private constructor(
    private readonly session: InferenceSession,
    readonly dims: DecoderDims,
  ) {}

  /** Opens a decoder on ONNX model bytes or a model file path. */
  static async create(
    model: Uint8Array | string,
    dims: DecoderDims,
    opts: DecoderSessionOptions = {},
  ): Promise<KvDecoder> {
    const session =
      typeof model === 'string'
        ? await InferenceSession.create(model, sessionOptions(opts))
        : await InferenceSession.create(model, sessionOptions(opts));
    const expected = ['input_ids', 'attention_mask', 'position_ids', 'logits'];
    for (let i = 0; i < dims.nLayer; i++)
      expected.push(pastName(i, 'key'), pastName(i, 'value'), presentName(i, 'key'), presentName(i, 'value'));
    const names = new Set([...session.inputNames, ...session.outputNames]);
    const missing = expected.filter((n) => !names.has(n));
    if (missing.length > 0) {
      await session.release();
      throw new GenerationError(
        `the ONNX model is not a KV-cache decoder for ${dims.nLayer} layers (missing ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', …' : ''}); export the checkpoint with exportOnnx`,
      );
    }
    return new KvDecoder(session, dims);
  }

  /** Tokens currently in the cache. */
  get length(): number {
    return this.cacheLength;
  }

  private emptyPast(): Tensor[] {
    const { nLayer, nHead, nEmbd } = this.dims;
    const shape = [1, nHead, 0, nEmbd / nHead];
    return Array.from({ length: 2 * nLayer }, () => new Tensor('float32', new Float32Array(0), shape));
  }

  /** Runs `ids` after the cached tokens; returns the logits of every new position (T × V, row-major). */
  private async run(ids: readonly number[], past: Tensor[]): Promise<Float32Array> {
    if (this.released) throw new GenerationError('the decoder was released; create a new one');
    const start = this.cacheLength;
    if (start + ids.length > this.dims.blockSize) {
      throw new GenerationError(
        `context of ${start + ids.length} tokens exceeds blockSize ${this.dims.blockSize}`,
      );
    }
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.dims.vocabSize) {
        throw new GenerationError(`token id ${id} is not in the vocabulary [0, ${this.dims.vocabSize})`);
      }
    }
    const feeds: Record<string, Tensor> = {
      input_ids: int64(ids),
      attention_mask: new Tensor('int64', new BigInt64Array(start + ids.length).fill(1n), [
        1,
        start + ids.length,
      ]),
      position_ids: int64(ids.map((_, i) => start + i)),
    };
    for (let i = 0; i < this.dims.nLayer; i++) {
      feeds[pastName(i, 'key')] = past[2 * i]!;
      feeds[pastName(i, 'value')] = past[2 * i + 1]!;
    }
    const out = await this.session.run(feeds);
    const next: Tensor[] = [];
    for (let i = 0; i < this.dims.nLayer; i++) {
      next.push(out[presentName(i, 'key')] as Tensor, out[presentName(i, 'value')] as Tensor);
    }
    this.past = next;
    this.cacheLength = start + ids.length;
    return out['logits']!.data as Float32Array;
  }

  /** Starts a new sequence: clears the cache and runs the prompt. Returns the logits of its last position. */
  async prefill(ids: readonly number[]): Promise<Float32Array> {
    if (ids.length === 0)
      throw new GenerationError('cannot prefill an empty prompt; start it with <|endoftext|>');
    this.cacheLength = 0;
    const all = await this.run(ids, this.emptyPast());
    return all.subarray((ids.length - 1) * this.dims.vocabSize);
  }

  /** Runs `ids` from an empty past and returns all their logits (T × V), as a full-sequence forward would. */
  async forwardAll(ids: readonly number[]): Promise<Float32Array> {
    this.cacheLength = 0;
    return this.run(ids, this.emptyPast());
  }

  /** Appends one token to the cached sequence; returns its logits. */
  async step(id: number): Promise<Float32Array> {
    if (this.cacheLength === 0)
      throw new GenerationError('step() before prefill(); call prefill with the prompt first');
    return this.run([id], this.past);
  }

  /** Frees the onnxruntime session; safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.past = [];
    await this.session.release();
  }
}
