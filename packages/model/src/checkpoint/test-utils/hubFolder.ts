// Writes GPT-2 checkpoint folders laid out as the Hugging Face Hub publishes gpt2 and
// as `save_pretrained` writes them: un-prefixed tensor names (or `transformer.`),
// `h.{i}.attn.bias` / `attn.masked_bias` buffers, gpt2's config.json fields, one file
// or shards with model.safetensors.index.json, F32, F16 or BF16. The safetensors
// bytes are assembled here from the format description, not by the package's writer.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GPTConfig } from '../../config.js';
import { paramShapes } from '../../params.js';

/** openai-community/gpt2's config.json fields, with the shape fields filled from `cfg`. */
export function gpt2ConfigJson(cfg: GPTConfig, eos: number): Record<string, unknown> {
  return {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: eos,
    embd_pdrop: 0.1,
    eos_token_id: eos,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: cfg.nPositions,
    n_embd: cfg.nEmbd,
    n_head: cfg.nHead,
    n_layer: cfg.nLayer,
    n_positions: cfg.nPositions,
    resid_pdrop: 0.1,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
    vocab_size: cfg.vocabSize,
  };
}

/** One tensor to store: its safetensors dtype, shape and raw little-endian bytes. */
export interface RawTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** A safetensors file from the format description: u64 header length, JSON header, data. */
export function safetensorsBytes(tensors: ReadonlyMap<string, RawTensor>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let pos = 8 + json.byteLength;
  for (const t of tensors.values()) {
    out.set(t.bytes, pos);
    pos += t.bytes.byteLength;
  }
  return out;
}

/** float32 bits of v. */
const f32Bits = (v: number): number => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v, true);
  return dv.getUint32(0, true);
};

/** float16 bits of v, for normal values exactly representable in half precision, 0 and ±∞/NaN. */
export function toHalfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  const e = Math.floor(Math.log2(a));
  const frac = (a / 2 ** e - 1) * 1024;
  if (!Number.isInteger(frac) || e < -14 || e > 15) throw new Error(`${v} is not exact in float16`);
  return sign | ((e + 15) << 10) | frac;
}

/** Encodes float values as a safetensors dtype. */
export function encodeFloats(values: Float32Array, dtype: 'F32' | 'F16' | 'BF16'): Uint8Array {
  if (dtype === 'F32')
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const bits = dtype === 'F16' ? toHalfBits(values[i]!) : f32Bits(values[i]!) >>> 16;
    if (dtype === 'BF16' && (f32Bits(values[i]!) & 0xffff) !== 0) throw new Error('not exact in bfloat16');
    out[i] = bits;
  }
  return new Uint8Array(out.buffer);
}

/** Weights whose every value (a multiple of 1/8 in [-1, 1]) is exact in F32, F16 and BF16. */
export function exactWeights(cfg: GPTConfig): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let k = 0;
  for (const [name, dims] of paramShapes(cfg)) {
    const n = dims.reduce((a, b) => a * b, 1);
    k++;
    out.set(
      name,
      Float32Array.from({ length: n }, (_, i) => (((i * 7 + k * 3) % 17) - 8) / 8),
    );
  }
  return out;
}

/** How to lay out a Hub-style folder. */
export interface HubFolderOptions {
  readonly dtype?: 'F32' | 'F16' | 'BF16';
  /** 1: model.safetensors; more: model-0000k-of-0000n.safetensors + index. */
  readonly shards?: number;
  /** Keep the `transformer.` prefix (GPT2LMHeadModel.save_pretrained) instead of GPT2Model's bare names. */
  readonly prefix?: boolean;
  /** Store lm_head.weight equal to wte ('tied') or different ('untied'). */
  readonly lmHead?: 'tied' | 'untied';
  /** Store attn.bias (and attn.masked_bias) buffers. Default true. */
  readonly buffers?: boolean;
  /** config.json fields to change. */
  readonly config?: Record<string, unknown>;
  /** More tensors to store (after the weights). */
  readonly extra?: ReadonlyMap<string, RawTensor>;
}

/** Writes a Hub-layout gpt2 folder for `cfg` holding `weights` (HF names with `transformer.`). */
export async function writeHubFolder(
  dir: string,
  cfg: GPTConfig,
  weights: ReadonlyMap<string, Float32Array>,
  o: HubFolderOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dtype = o.dtype ?? 'F32';
  const shapes = paramShapes(cfg);
  const tensors = new Map<string, RawTensor>();
  for (const [name, values] of weights) {
    const stored = o.prefix ? name : name.replace(/^transformer\./, '');
    tensors.set(stored, {
      dtype,
      shape: shapes.get(name) ?? [values.length],
      bytes: encodeFloats(values, dtype),
    });
    const layer = /^transformer\.h\.(\d+)\.ln_1\.weight$/.exec(name);
    if (layer !== null && o.buffers !== false) {
      const P = cfg.nPositions;
      const tril = Float32Array.from({ length: P * P }, (_, i) => (i % P <= Math.floor(i / P) ? 1 : 0));
      const pre = o.prefix ? 'transformer.' : '';
      tensors.set(`${pre}h.${layer[1]}.attn.bias`, {
        dtype: 'F32',
        shape: [1, 1, P, P],
        bytes: encodeFloats(tril, 'F32'),
      });
      tensors.set(`${pre}h.${layer[1]}.attn.masked_bias`, {
        dtype: 'F32',
        shape: [],
        bytes: encodeFloats(Float32Array.of(-1e4), 'F32'),
      });
    }
  }
  if (o.lmHead !== undefined) {
    const head = Float32Array.from(weights.get('transformer.wte.weight')!);
    if (o.lmHead === 'untied') head[head.length - 1] = head[head.length - 1]! + 0.5;
    tensors.set('lm_head.weight', {
      dtype,
      shape: shapes.get('transformer.wte.weight')!,
      bytes: encodeFloats(head, dtype),
    });
  }
  for (const [name, t] of o.extra ?? []) tensors.set(name, t);
  const shards = o.shards ?? 1;
  if (shards === 1) await writeFile(join(dir, 'model.safetensors'), safetensorsBytes(tensors));
  else {
    const parts = Array.from({ length: shards }, () => new Map<string, RawTensor>());
    const weightMap: Record<string, string> = {};
    const fileOf = (s: number) =>
      `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    [...tensors].forEach(([name, t], k) => {
      parts[k % shards]!.set(name, t);
      weightMap[name] = fileOf(k % shards);
    });
    for (let s = 0; s < shards; s++) await writeFile(join(dir, fileOf(s)), safetensorsBytes(parts[s]!));
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }, null, 2),
    );
  }
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ ...gpt2ConfigJson(cfg, cfg.vocabSize - 1), ...o.config }, null, 2),
  );
}
