// GPT-2's parameters: their Hugging Face names and shapes, GPT-2 initialisation and
// a counting helper. Parameters are float32 `TensorData` keyed by the names of a
// Hugging Face GPT2LMHeadModel state dict (`transformer.h.0.attn.c_attn.weight`…).
// Linear weights keep GPT-2's Conv1D layout [in, out]; the LM head is tied to wte
// and not stored.
// Legend: V vocab, P nPositions (≥ blockSize), C nEmbd, L nLayer.
// Reference: transformers GPT2PreTrainedModel._init_weights; GPT-2 paper §2.3.

import { SeededRandom, type TensorData } from '@spinettai/graph';
import type { GPTConfig } from './config.js';

/** Model weights by Hugging Face GPT-2 name, all float32 (float64 only in tests). */
export type Params = Map<string, TensorData>;

/** Name prefix of layer `i`'s parameters: `transformer.h.{i}`. */
export const blockPrefix = (i: number): string => `transformer.h.${i}`;

/**
 * Every parameter's shape, in the order of a Hugging Face GPT-2 state dict:
 * wte [V, C], wpe [P, C], then per block i: ln_1.weight/bias [C],
 * attn.c_attn.weight [C, 3C] / bias [3C], attn.c_proj.weight [C, C] / bias [C],
 * ln_2.weight/bias [C], mlp.c_fc.weight [C, 4C] / bias [4C],
 * mlp.c_proj.weight [4C, C] / bias [C]; finally ln_f.weight/bias [C].
 */
export function paramShapes(cfg: GPTConfig): Map<string, number[]> {
  const { vocabSize: V, nPositions: P, nEmbd: C, nLayer: L } = cfg;
  const s = new Map<string, number[]>();
  s.set('transformer.wte.weight', [V, C]);
  s.set('transformer.wpe.weight', [P, C]);
  for (let i = 0; i < L; i++) {
    const p = blockPrefix(i);
    s.set(`${p}.ln_1.weight`, [C]);
    s.set(`${p}.ln_1.bias`, [C]);
    s.set(`${p}.attn.c_attn.weight`, [C, 3 * C]);
    s.set(`${p}.attn.c_attn.bias`, [3 * C]);
    s.set(`${p}.attn.c_proj.weight`, [C, C]);
    s.set(`${p}.attn.c_proj.bias`, [C]);
    s.set(`${p}.ln_2.weight`, [C]);
    s.set(`${p}.ln_2.bias`, [C]);
    s.set(`${p}.mlp.c_fc.weight`, [C, 4 * C]);
    s.set(`${p}.mlp.c_fc.bias`, [4 * C]);
    s.set(`${p}.mlp.c_proj.weight`, [4 * C, C]);
    s.set(`${p}.mlp.c_proj.bias`, [C]);
  }
  s.set('transformer.ln_f.weight', [C]);
  s.set('transformer.ln_f.bias', [C]);
  return s;
}

/** Total number of parameters of a config (the tied LM head counted once). */
export function countParams(cfg: GPTConfig): number {
  let n = 0;
  for (const dims of paramShapes(cfg).values()) n += dims.reduce((a, b) => a * b, 1);
  return n;
}

/** How GPT-2 initialises a parameter, from its name. */
function initKind(
  name: string,
  nLayer: number,
): { kind: 'zeros' | 'ones' } | { kind: 'normal'; std: number } {
  if (/\.ln_(1|2|f)\.weight$/.test(name)) return { kind: 'ones' };
  if (name.endsWith('.bias')) return { kind: 'zeros' };
  // Residual projections are scaled by 1/√(2·L): each block adds two of them to the stream.
  if (name.endsWith('.attn.c_proj.weight') || name.endsWith('.mlp.c_proj.weight'))
    return { kind: 'normal', std: 0.02 / Math.sqrt(2 * nLayer) };
  return { kind: 'normal', std: 0.02 };
}

/**
 * GPT-2 initialisation: normal(0, 0.02) for wte, wpe and linear weights, 0.02/√(2·nLayer)
 * for attn.c_proj and mlp.c_proj weights, zeros for biases, ones for LayerNorm weights.
 * Each tensor draws from its own stream (seed, tensor index), so the result depends only
 * on `cfg` and `seed`.
 */
export function initParams(cfg: GPTConfig, seed: number): Params {
  const params: Params = new Map();
  let index = 0;
  for (const [name, dims] of paramShapes(cfg)) {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const how = initKind(name, cfg.nLayer);
    if (how.kind === 'ones') data.fill(1);
    else if (how.kind === 'normal') {
      const rng = new SeededRandom(seed, index);
      for (let k = 0; k < n; k++) data[k] = rng.normal() * how.std;
    }
    params.set(name, { dtype: 'float32', dims, data });
    index++;
  }
  return params;
}
