// LoRA parameters: names, shapes, PEFT's initialisation, and merging an adapter into
// the base weights for export.
// Names follow PEFT's state dict without its `base_model.model.` prefix:
// `transformer.h.{i}.attn.c_attn.lora_A.weight` [r, in], `….lora_B.weight` [out, r].
// Legend: r rank, C nEmbd, L nLayer.

import { SeededRandom, type TensorData } from '@spinettai/graph';
import type { GPTConfig } from '../config.js';
import { InvalidOptionError } from '../generate/errors.js';
import { blockPrefix, type Params } from '../params.js';
import { type LoraConfig, type LoraTarget, loraScale } from './config.js';

/** [in, out] of each adaptable module (GPT-2's Conv1D layout). */
function moduleDims(target: LoraTarget, C: number): [number, number] {
  switch (target) {
    case 'c_attn':
      return [C, 3 * C];
    case 'attn.c_proj':
      return [C, C];
    case 'c_fc':
      return [C, 4 * C];
    case 'mlp.c_proj':
      return [4 * C, C];
  }
}

/** Full module prefix of a target in layer i. */
export function loraModulePrefix(layer: number, target: LoraTarget): string {
  const sub = target === 'c_attn' ? 'attn.c_attn' : target === 'c_fc' ? 'mlp.c_fc' : target;
  return `${blockPrefix(layer)}.${sub}`;
}

/** Every LoRA parameter's shape, layer by layer, A before B. */
export function loraShapes(cfg: GPTConfig, lora: LoraConfig): Map<string, number[]> {
  const s = new Map<string, number[]>();
  for (let i = 0; i < cfg.nLayer; i++)
    for (const t of lora.targets) {
      const [inF, outF] = moduleDims(t, cfg.nEmbd);
      const p = loraModulePrefix(i, t);
      s.set(`${p}.lora_A.weight`, [lora.rank, inF]);
      s.set(`${p}.lora_B.weight`, [outF, lora.rank]);
    }
  return s;
}

/**
 * PEFT's initialisation: A ~ kaiming_uniform(a = √5), i.e. U(−1/√in, 1/√in); B = 0, so the
 * adapted model starts as the base model. Each A draws from its own stream (seed, index).
 */
export function initLora(cfg: GPTConfig, lora: LoraConfig, seed: number): Params {
  const params: Params = new Map();
  let index = 0;
  for (const [name, dims] of loraShapes(cfg, lora)) {
    const n = dims[0]! * dims[1]!;
    const data = new Float32Array(n);
    if (name.endsWith('lora_A.weight')) {
      const bound = 1 / Math.sqrt(dims[1]!);
      const rng = new SeededRandom(seed, 0x10a0 + index);
      for (let k = 0; k < n; k++) data[k] = (2 * rng.uniform() - 1) * bound;
    }
    params.set(name, { dtype: 'float32', dims, data });
    index++;
  }
  return params;
}

/**
 * The base weights with the adapter folded in: W' = W + (B·A)ᵀ · α/r for every adapted
 * module (W [in, out], B·A [out, in]), computed in float64. Other tensors are shared.
 */
export function mergeLora(base: Params, adapter: Params, cfg: GPTConfig, lora: LoraConfig): Params {
  const merged: Params = new Map(base);
  const scale = loraScale(lora);
  for (let i = 0; i < cfg.nLayer; i++)
    for (const t of lora.targets) {
      const p = loraModulePrefix(i, t);
      const w = base.get(`${p}.weight`);
      const a = adapter.get(`${p}.lora_A.weight`);
      const b = adapter.get(`${p}.lora_B.weight`);
      if (w === undefined || a === undefined || b === undefined)
        throw new InvalidOptionError(
          'lora',
          `the adapter or base has no '${p}' weights; is it for this model?`,
        );
      merged.set(`${p}.weight`, mergeOne(w, a, b, lora.rank, scale));
    }
  return merged;
}

function mergeOne(w: TensorData, a: TensorData, b: TensorData, r: number, scale: number): TensorData {
  const [inF, outF] = w.dims as [number, number];
  const W = w.data as Float32Array;
  const A = a.data as Float32Array; // (r, in)
  const B = b.data as Float32Array; // (out, r)
  const out = new Float32Array(inF * outF);
  for (let i = 0; i < inF; i++)
    for (let o = 0; o < outF; o++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += B[o * r + k]! * A[k * inF + i]!;
      out[i * outF + o] = W[i * outF + o]! + scale * s;
    }
  return { dtype: 'float32', dims: [inF, outF], data: out };
}
