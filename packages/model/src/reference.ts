// An independent float64 GPT-2 forward pass in plain loops, used only by tests as
// the golden source for the ONNX graphs' logits and loss. Written directly from the
// GPT-2 equations, sharing no code with the graph builders (only the Params type).
// Not part of the public API.
//
// Legend: T sequence, C nEmbd, V vocab, H nHead, D = C / H.
// Reference: Radford et al. 2019 (GPT-2); transformers GPT2LMHeadModel.

import type { GPTConfig } from './config.js';
import type { Params } from './params.js';

function get(params: Params, name: string): Float64Array {
  const t = params.get(name);
  if (t === undefined) throw new Error(`reference: missing parameter ${name}`);
  return Float64Array.from(t.data as Float32Array);
}

/** out[t] = LayerNorm(x[t]) with gain g and bias b over C features. */
function layerNormRows(
  x: Float64Array,
  T: number,
  C: number,
  g: Float64Array,
  b: Float64Array,
  eps: number,
): Float64Array {
  const out = new Float64Array(T * C);
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x[t * C + c]!;
    mean /= C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (x[t * C + c]! - mean) ** 2;
    variance /= C;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < C; c++) out[t * C + c] = (x[t * C + c]! - mean) * inv * g[c]! + b[c]!;
  }
  return out;
}

/** out[t] = x[t] · W + bias with W stored [nIn, nOut] row-major. */
function affine(
  x: Float64Array,
  T: number,
  nIn: number,
  nOut: number,
  w: Float64Array,
  bias: Float64Array,
): Float64Array {
  const out = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let s = bias[o]!;
      for (let i = 0; i < nIn; i++) s += x[t * nIn + i]! * w[i * nOut + o]!;
      out[t * nOut + o] = s;
    }
  }
  return out;
}

function geluTanh(v: number): number {
  return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
}

/** Logits (T·V, row-major) of one sequence. */
export function referenceLogits(cfg: GPTConfig, params: Params, ids: readonly number[]): Float64Array {
  const { nEmbd: C, nHead: H, vocabSize: V, layerNormEps: eps } = cfg;
  const T = ids.length;
  const D = C / H;
  const wte = get(params, 'transformer.wte.weight');
  const wpe = get(params, 'transformer.wpe.weight');
  let x = new Float64Array(T * C);
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) x[t * C + c] = wte[ids[t]! * C + c]! + wpe[t * C + c]!;

  for (let l = 0; l < cfg.nLayer; l++) {
    const p = (n: string) => get(params, `transformer.h.${l}.${n}`);
    const a = layerNormRows(x, T, C, p('ln_1.weight'), p('ln_1.bias'), eps);
    const qkv = affine(a, T, C, 3 * C, p('attn.c_attn.weight'), p('attn.c_attn.bias'));
    const y = new Float64Array(T * C);
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const w = new Float64Array(t + 1);
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += qkv[t * 3 * C + h * D + d]! * qkv[s * 3 * C + C + h * D + d]!;
          w[s] = dot / Math.sqrt(D);
          max = Math.max(max, w[s]!);
        }
        let z = 0;
        for (let s = 0; s <= t; s++) {
          w[s] = Math.exp(w[s]! - max);
          z += w[s]!;
        }
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let s = 0; s <= t; s++) acc += (w[s]! / z) * qkv[s * 3 * C + 2 * C + h * D + d]!;
          y[t * C + h * D + d] = acc;
        }
      }
    }
    const attnOut = affine(y, T, C, C, p('attn.c_proj.weight'), p('attn.c_proj.bias'));
    const x1 = x.map((v, i) => v + attnOut[i]!);
    const m = layerNormRows(x1, T, C, p('ln_2.weight'), p('ln_2.bias'), eps);
    const fc = affine(m, T, C, 4 * C, p('mlp.c_fc.weight'), p('mlp.c_fc.bias')).map(geluTanh);
    const mlpOut = affine(fc, T, 4 * C, C, p('mlp.c_proj.weight'), p('mlp.c_proj.bias'));
    x = x1.map((v, i) => v + mlpOut[i]!);
  }
  const hf = layerNormRows(
    x,
    T,
    C,
    get(params, 'transformer.ln_f.weight'),
    get(params, 'transformer.ln_f.bias'),
    eps,
  );
  const logits = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += hf[t * C + c]! * wte[v * C + c]!;
      logits[t * V + v] = s;
    }
  }
  return logits;
}

/** Mean cross-entropy over a batch of sequences; targets of −1 are ignored. */
export function referenceLoss(
  cfg: GPTConfig,
  params: Params,
  ids: readonly number[][],
  targets: readonly number[][],
): number {
  const V = cfg.vocabSize;
  let total = 0;
  let count = 0;
  ids.forEach((row, b) => {
    const logits = referenceLogits(cfg, params, row);
    row.forEach((_, t) => {
      const y = targets[b]![t]!;
      if (y === -1) return;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits[t * V + v]!);
      let z = 0;
      for (let v = 0; v < V; v++) z += Math.exp(logits[t * V + v]! - max);
      total += -(logits[t * V + y]! - max - Math.log(z));
      count++;
    });
  });
  return total / count;
}
