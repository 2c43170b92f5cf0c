// A KV-cache decoder on an injected onnxruntime (onnxruntime-node or -web): owns one
// InferenceSession of the Optimum-layout graph (kvGraph.ts, or an exported
// onnx/model.onnx) and the current past keys/values of a single sequence (batch 1).
// `prefill` starts a sequence from scratch (empty past), `step` appends one token and
// reuses the cache.

import { pastName, presentName } from '../kvGraph.js';
import { GenerationError } from './errors.js';
import {
  createSession,
  type DecoderSessionOptions,
  type OrtModule,
  type OrtSession,
  type OrtTensor,
  sessionOptions,
} from './ort.js';

/** The model dimensions a decoder needs to shape its inputs. */
export interface DecoderDims {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  vocabSize: number;
}

/** Throws unless `ort` looks like an onnxruntime module. */
export function checkOrt(ort: unknown): asserts ort is OrtModule {
  const m = ort as Partial<OrtModule> | undefined;
  if (typeof m?.InferenceSession?.create !== 'function' || typeof m.Tensor !== 'function') {
    throw new GenerationError(
      "'ort' must be an onnxruntime module: import * as ort from 'onnxruntime-node' (Node) or 'onnxruntime-web' (browser)",
      { option: 'ort' },
    );
  }
}

function int64(ort: OrtModule, values: readonly number[]): OrtTensor {
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    [1, values.length],
  );
}

/** A single-sequence KV-cache decoder. Call `release()` when done. */
export class KvDecoder {
  private past: OrtTensor[] = [];
  private cacheLength = 0;
  private released = false;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly dims: DecoderDims,
  ) {}

  /**
   * Opens a decoder with `ort` (an onnxruntime module) on ONNX model bytes, or on a model
   * file path (onnxruntime-node) or URL (onnxruntime-web).
   */
  static async create(
    ort: OrtModule,
    model: Uint8Array | string,
    dims: DecoderDims,
    opts: DecoderSessionOptions = {},
  ): Promise<KvDecoder> {
    checkOrt(ort);
    const session = await createSession(ort, model, sessionOptions(opts));
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
    return new KvDecoder(ort, session, dims);
  }

  /** Tokens currently in the cache. */
  get length(): number {
    return this.cacheLength;
  }

  private emptyPast(): OrtTensor[] {
    const { nLayer, nHead, nEmbd } = this.dims;
    const shape = [1, nHead, 0, nEmbd / nHead];
    return Array.from(
      { length: 2 * nLayer },
      () => new this.ort.Tensor('float32', new Float32Array(0), shape),
    );
  }

  /** Runs `ids` after the cached tokens; returns the logits of every new position (T × V, row-major). */
  private async run(ids: readonly number[], past: OrtTensor[]): Promise<Float32Array> {
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
    const feeds: Record<string, OrtTensor> = {
      input_ids: int64(this.ort, ids),
      attention_mask: new this.ort.Tensor('int64', new BigInt64Array(start + ids.length).fill(1n), [
        1,
        start + ids.length,
      ]),
      position_ids: int64(
        this.ort,
        ids.map((_, i) => start + i),
      ),
    };
    for (let i = 0; i < this.dims.nLayer; i++) {
      feeds[pastName(i, 'key')] = past[2 * i]!;
      feeds[pastName(i, 'value')] = past[2 * i + 1]!;
    }
    const out = await this.session.run(feeds);
    const next: OrtTensor[] = [];
    for (let i = 0; i < this.dims.nLayer; i++) {
      next.push(out[presentName(i, 'key')]!, out[presentName(i, 'value')]!);
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
