// A KV-cache decoder on an injected onnxruntime (onnxruntime-node or -web): owns one
// InferenceSession of the Optimum-layout graph (kvGraph.ts, or an exported
// onnx/model.onnx) and the current past keys/values of one sequence, or of B sequences
// of equal length decoded as one batch (the graph's batch dimension). `prefill` starts
// a sequence from scratch (empty past), `step` appends one token and reuses the cache;
// `prefillBatch` / `stepBatch` do the same for B rows at once.

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

/** A (B, T) int64 tensor of B equally long rows. */
function int64Rows(ort: OrtModule, rows: readonly (readonly number[])[]): OrtTensor {
  const t = rows[0]!.length;
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
    [rows.length, t],
  );
}

/** A KV-cache decoder (one sequence, or a batch of equally long ones). Call `release()` when done. */
export class KvDecoder {
  private past: OrtTensor[] = [];
  private cacheLength = 0;
  private batch = 1;
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

  /** Rows in the cache (1 unless the last prefill was `prefillBatch`). */
  get batchSize(): number {
    return this.batch;
  }

  private emptyPast(batch: number): OrtTensor[] {
    const { nLayer, nHead, nEmbd } = this.dims;
    const shape = [batch, nHead, 0, nEmbd / nHead]; // (B, H, 0, D)
    return Array.from(
      { length: 2 * nLayer },
      () => new this.ort.Tensor('float32', new Float32Array(0), shape),
    );
  }

  /**
   * Runs B rows of T ids after the cached tokens; returns the logits of every new
   * position (B × T × V, row-major).
   */
  private async run(rows: readonly (readonly number[])[], past: OrtTensor[]): Promise<Float32Array> {
    if (this.released) throw new GenerationError('the decoder was released; create a new one');
    const start = this.cacheLength;
    const t = rows[0]!.length;
    if (rows.some((r) => r.length !== t))
      throw new GenerationError('every row of a batch must have the same number of tokens');
    if (start + t > this.dims.blockSize) {
      throw new GenerationError(`context of ${start + t} tokens exceeds blockSize ${this.dims.blockSize}`);
    }
    for (const id of rows.flat()) {
      if (!Number.isInteger(id) || id < 0 || id >= this.dims.vocabSize) {
        throw new GenerationError(`token id ${id} is not in the vocabulary [0, ${this.dims.vocabSize})`);
      }
    }
    const b = rows.length;
    const positions = Array.from({ length: t }, (_, i) => start + i);
    const feeds: Record<string, OrtTensor> = {
      input_ids: int64Rows(this.ort, rows), // (B, T)
      attention_mask: new this.ort.Tensor('int64', new BigInt64Array(b * (start + t)).fill(1n), [
        b,
        start + t,
      ]), // (B, S)
      position_ids: int64Rows(
        this.ort,
        rows.map(() => positions),
      ), // (B, T)
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
    this.past = next; // present → past: the returned tensors are the next feeds, no copy
    this.cacheLength = start + t;
    this.batch = b;
    return out['logits']!.data as Float32Array;
  }

  /** Starts a new sequence: clears the cache and runs the prompt. Returns the logits of its last position. */
  async prefill(ids: readonly number[]): Promise<Float32Array> {
    return this.prefillBatch([ids]);
  }

  /**
   * Starts B sequences at once (rows of equal length): clears the cache and runs them.
   * Returns the logits of each row's last position (B × V, row-major).
   */
  async prefillBatch(rows: readonly (readonly number[])[]): Promise<Float32Array> {
    const t = rows[0]?.length ?? 0;
    if (t === 0) throw new GenerationError('cannot prefill an empty prompt; start it with <|endoftext|>');
    this.cacheLength = 0;
    const all = await this.run(rows, this.emptyPast(rows.length)); // (B, T, V)
    const v = this.dims.vocabSize;
    if (rows.length === 1) return all.subarray((t - 1) * v); // (1, V), no copy
    if (t === 1) return all;
    const last = new Float32Array(rows.length * v); // (B, V)
    for (let r = 0; r < rows.length; r++)
      last.set(all.subarray(((r + 1) * t - 1) * v, (r + 1) * t * v), r * v);
    return last;
  }

  /**
   * Keeps only the cached rows at `rows` (batch indices, in the new order) and drops the
   * others, so finished samples stop costing compute. Copies the cache once.
   */
  keepRows(rows: readonly number[]): void {
    if (rows.length === this.batch && rows.every((r, i) => r === i)) return;
    if (rows.length === 0 || rows.some((r) => !Number.isInteger(r) || r < 0 || r >= this.batch))
      throw new GenerationError(`keepRows needs row indices in [0, ${this.batch})`);
    const { nHead, nEmbd } = this.dims;
    const rowSize = nHead * this.cacheLength * (nEmbd / nHead); // H × S × D floats per row
    this.past = this.past.map((t) => {
      const data = t.data as Float32Array; // (B, H, S, D)
      const kept = new Float32Array(rows.length * rowSize); // (B', H, S, D)
      for (const [i, r] of rows.entries())
        kept.set(data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
      return new this.ort.Tensor('float32', kept, [rows.length, ...t.dims.slice(1)]);
    });
    this.batch = rows.length;
  }

  /** Runs `ids` from an empty past and returns all their logits (T × V), as a full-sequence forward would. */
  async forwardAll(ids: readonly number[]): Promise<Float32Array> {
    this.cacheLength = 0;
    return this.run([ids], this.emptyPast(1));
  }

  /** Appends one token to the cached sequence; returns its logits. */
  async step(id: number): Promise<Float32Array> {
    return this.stepBatch([id]);
  }

  /** Appends one token to each cached row (one id per row); returns their logits (B × V). */
  async stepBatch(ids: readonly number[]): Promise<Float32Array> {
    if (this.cacheLength === 0)
      throw new GenerationError('step() before prefill(); call prefill with the prompt first');
    if (ids.length !== this.batch)
      throw new GenerationError(`the cache holds ${this.batch} rows but ${ids.length} ids were given`);
    return this.run(
      ids.map((id) => [id]),
      this.past,
    );
  }

  /** Frees the onnxruntime session; safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.past = [];
    await this.session.release();
  }
}
