// Parameters and AdamW moments live in flat float32 buffers, two of each (ping-pong):
// a training step reads buffer `cur` and onnxruntime writes the updated values straight
// into the other one through pre-allocated outputs (an output may not alias an input).
// onnxruntime-node (1.30) still hands each output back as a fresh copy, which is dropped:
// for a full fine-tune of GPT-2 small that is 1.5 GB of new memory per step, the main
// cost outside onnxruntime's own run (see the trainer README).
// Weight-decayed (2-D) tensors come first, then the rest, so the separate optimizer graph
// sees exactly two flat segments. Each parameter is a zero-copy subarray view.

import { decays, type TensorData } from '@spinettai/graph';
import { Tensor } from 'onnxruntime-node';
import { TrainerError } from './errors.js';

/** Where one parameter sits in the flat buffers. */
export interface ParamSlot {
  readonly name: string;
  readonly dims: readonly number[];
  readonly offset: number;
  readonly size: number;
  readonly decay: boolean;
}

/** Which state a buffer holds. */
export type StoreKind = 'p' | 'm' | 'v' | 'g';

/** Flat, double-buffered parameters, moments and gradient accumulators. */
export class ParamStore {
  readonly slots: readonly ParamSlot[];
  /** Elements in the weight-decayed segment (which starts at 0). */
  readonly nDecay: number;
  readonly nTotal: number;
  private readonly bufs: Record<StoreKind, [Float32Array, Float32Array]>;
  private readonly viewCache = new Map<string, Record<string, Tensor>>();
  /** Index (0/1) of the buffer holding the current parameters and moments. */
  cur: 0 | 1 = 0;

  /** Lays out `shapes` (name → dims, in graph order) and allocates zeroed buffers. */
  constructor(shapes: ReadonlyMap<string, readonly number[]>, withGrads: boolean) {
    const entries = [...shapes];
    const ordered = [...entries.filter(([, d]) => decays(d)), ...entries.filter(([, d]) => !decays(d))];
    let offset = 0;
    const slots: ParamSlot[] = [];
    let nDecay = 0;
    for (const [name, dims] of ordered) {
      const size = dims.reduce((a, b) => a * b, 1);
      slots.push({ name, dims: [...dims], offset, size, decay: decays(dims) });
      offset += size;
      if (decays(dims)) nDecay = offset;
    }
    this.slots = slots;
    this.nDecay = nDecay;
    this.nTotal = offset;
    const pair = (n: number): [Float32Array, Float32Array] => [new Float32Array(n), new Float32Array(n)];
    this.bufs = { p: pair(offset), m: pair(offset), v: pair(offset), g: withGrads ? pair(offset) : pair(0) };
  }

  /** The flat buffer of a kind (`which` defaults to the current one). */
  buffer(kind: StoreKind, which: 0 | 1 = this.cur): Float32Array {
    return this.bufs[kind][which];
  }

  /** onnxruntime tensors viewing each parameter's slice of a buffer (cached, zero-copy). */
  views(kind: StoreKind, which: 0 | 1 = this.cur): Record<string, Tensor> {
    const key = `${kind}${which}`;
    let v = this.viewCache.get(key);
    if (v === undefined) {
      const buf = this.bufs[kind][which];
      v = {};
      for (const s of this.slots)
        v[s.name] = new Tensor('float32', buf.subarray(s.offset, s.offset + s.size), s.dims);
      this.viewCache.set(key, v);
    }
    return v;
  }

  /** The two flat segments (decayed, not decayed) of a buffer as tensors (cached, zero-copy). */
  segments(kind: StoreKind, which: 0 | 1 = this.cur): { decay: Tensor; rest: Tensor } {
    const key = `seg${kind}${which}`;
    let v = this.viewCache.get(key);
    if (v === undefined) {
      const buf = this.bufs[kind][which];
      v = {
        decay: new Tensor('float32', buf.subarray(0, this.nDecay), [this.nDecay]),
        rest: new Tensor('float32', buf.subarray(this.nDecay), [this.nTotal - this.nDecay]),
      };
      this.viewCache.set(key, v);
    }
    return v as { decay: Tensor; rest: Tensor };
  }

  /** Copies named tensors into the current buffer of a kind; every slot must be present with its shape. */
  load(kind: StoreKind, tensors: ReadonlyMap<string, TensorData>): void {
    const buf = this.bufs[kind][this.cur];
    for (const s of this.slots) {
      const t = tensors.get(s.name);
      if (t === undefined)
        throw new TrainerError(
          `tensor '${s.name}' is missing (loading ${kind === 'p' ? 'parameters' : 'optimizer moments'})`,
        );
      if (t.dims.length !== s.dims.length || t.dims.some((d, i) => d !== s.dims[i])) {
        throw new TrainerError(`tensor '${s.name}' has shape [${t.dims}], the model needs [${s.dims}]`);
      }
      if (!(t.data instanceof Float32Array))
        throw new TrainerError(`tensor '${s.name}' must be float32, got ${t.dtype}`);
      buf.set(t.data, s.offset);
    }
  }

  /** Copies of the current tensors of a kind, by name. */
  export(kind: StoreKind): Map<string, TensorData> {
    const buf = this.bufs[kind][this.cur];
    const out = new Map<string, TensorData>();
    for (const s of this.slots)
      out.set(s.name, { dtype: 'float32', dims: [...s.dims], data: buf.slice(s.offset, s.offset + s.size) });
    return out;
  }

  /** Zeroes both copies of a kind. */
  zero(kind: StoreKind): void {
    this.bufs[kind][0].fill(0);
    this.bufs[kind][1].fill(0);
  }
}
