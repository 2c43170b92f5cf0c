// Parameters and AdamW moments live in flat float32 buffers, one of each, updated in
// place: a training step feeds each parameter's (and moment's) view of the buffer as an
// input and passes the same view as the pre-allocated output that receives its new value,
// so onnxruntime writes the update over the old value. That is safe because every read
// of a parameter or moment comes before the node that overwrites it: the forward and
// backward reads all feed the global gradient norm, which every update waits for, and an
// update's last node is element-wise (element i read, then element i written). A test
// checks it bit for bit against separate output buffers. Gradient accumulators (`g`) are
// the one ping-pong pair: acc_out = acc_in + g. Weight-decayed (2-D) tensors come first,
// then the rest, so the separate optimizer graph sees exactly two flat segments. Each
// parameter is a zero-copy subarray view.
// onnxruntime-node (1.30) still hands each output back as a fresh copy, which is dropped:
// for a full fine-tune of GPT-2 small that is 1.5 GB of new memory per step, the main
// cost outside onnxruntime's own run (see the trainer README).

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

/** Flat parameters and moments (updated in place) and the gradient accumulators' pair. */
export class ParamStore {
  readonly slots: readonly ParamSlot[];
  /** Elements in the weight-decayed segment (which starts at 0). */
  readonly nDecay: number;
  readonly nTotal: number;
  private readonly state: Record<Exclude<StoreKind, 'g'>, Float32Array>;
  private readonly grads: [Float32Array, Float32Array];
  private readonly viewCache = new Map<string, Record<string, Tensor>>();

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
    this.state = { p: new Float32Array(offset), m: new Float32Array(offset), v: new Float32Array(offset) };
    const g = withGrads ? offset : 0;
    this.grads = [new Float32Array(g), new Float32Array(g)];
  }

  /** The flat buffer of a kind (`which` picks one of the two gradient accumulators). */
  buffer(kind: StoreKind, which: 0 | 1 = 0): Float32Array {
    return kind === 'g' ? this.grads[which] : this.state[kind];
  }

  /** onnxruntime tensors viewing each parameter's slice of a buffer (cached, zero-copy). */
  views(kind: StoreKind, which: 0 | 1 = 0): Record<string, Tensor> {
    const key = `${kind}${which}`;
    let v = this.viewCache.get(key);
    if (v === undefined) {
      const buf = this.buffer(kind, which);
      v = {};
      for (const s of this.slots)
        v[s.name] = new Tensor('float32', buf.subarray(s.offset, s.offset + s.size), s.dims);
      this.viewCache.set(key, v);
    }
    return v;
  }

  /** The two flat segments (decayed, not decayed) of a buffer as tensors (cached, zero-copy). */
  segments(kind: StoreKind, which: 0 | 1 = 0): { decay: Tensor; rest: Tensor } {
    const key = `seg${kind}${which}`;
    let v = this.viewCache.get(key);
    if (v === undefined) {
      const buf = this.buffer(kind, which);
      v = {
        decay: new Tensor('float32', buf.subarray(0, this.nDecay), [this.nDecay]),
        rest: new Tensor('float32', buf.subarray(this.nDecay), [this.nTotal - this.nDecay]),
      };
      this.viewCache.set(key, v);
    }
    return v as { decay: Tensor; rest: Tensor };
  }

  /** Copies named tensors into the buffer of a kind; every slot must be present with its shape. */
  load(kind: StoreKind, tensors: ReadonlyMap<string, TensorData>): void {
    const buf = this.buffer(kind);
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

  /** Copies of the tensors of a kind, by name. */
  export(kind: StoreKind): Map<string, TensorData> {
    const buf = this.buffer(kind);
    const out = new Map<string, TensorData>();
    for (const s of this.slots)
      out.set(s.name, { dtype: 'float32', dims: [...s.dims], data: buf.slice(s.offset, s.offset + s.size) });
    return out;
  }

  /** Zeroes a kind (both accumulators for `g`). */
  zero(kind: StoreKind): void {
    this.buffer(kind, 0).fill(0);
    if (kind === 'g') this.grads[1].fill(0);
  }
}
