// GPT-2's layers as graph-building functions: LayerNorm, Conv1D-style linear,
// causal self-attention (with an optional key/value past), the GELU MLP and the
// pre-LayerNorm block. gpt.ts builds the training/eval graph from them and the
// generation code reuses them for its KV-cache graph.
//
// Legend: B batch, T new tokens, P past length, S = P + T keys, C nEmbd,
// H nHead, D = C / H head size.
// Reference: Hugging Face transformers GPT2Attention, GPT2MLP, GPT2Block.

import {
  type Dim,
  type Graph,
  type GraphBuilder,
  GraphError,
  type Node,
  SeededRandom,
  type TensorData,
  type Value,
} from '@spinettai/graph';
import type { GPTConfig } from './config.js';
import { type LoraConfig, loraScale, loraTargetOf } from './lora/config.js';
import { loraShapes } from './lora/params.js';
import { type Params, paramShapes } from './params.js';

/** Float element type of a GPT graph (float64 serves finite-difference tests). */
export type FloatDType = 'float32' | 'float64';

/** What the layer functions need: the builder, the config, parameter lookup and dropout. */
export interface LayerContext {
  readonly b: GraphBuilder;
  readonly cfg: GPTConfig;
  readonly dtype: FloatDType;
  /** The graph value of a parameter by Hugging Face name (created on first use). */
  param(name: string): Value;
  /**
   * Training-mode dropout of `x` (a Dropout node named `site`) with ratio `ratio` (default
   * cfg.dropout), or `x` itself when dropout is off or the ratio is 0.
   */
  dropout(x: Value, site: string, ratio?: number): Value;
  /** LoRA adapters on the targeted linear layers, when given. */
  readonly lora: LoraConfig | undefined;
  /** Names of the Dropout nodes added so far, in seed order. */
  readonly dropoutNodes: readonly string[];
  /** Value names of their bool masks (second outputs), same order. */
  readonly dropoutMasks: readonly string[];
}

/** Options of `createLayerContext`. */
export interface LayerContextOptions {
  /** 'inputs': parameters become graph inputs (named by HF name); a `Params` map: initializers. */
  params: 'inputs' | Params;
  dtype?: FloatDType;
  /** Training-mode dropout with per-node seeds derived from `seed`; false (default) = none. */
  dropout?: false | { seed: number };
  /** Add LoRA adapters (parameters `….lora_A.weight` / `….lora_B.weight`) to the targeted linear layers. */
  lora?: LoraConfig | undefined;
}

/** Most negative finite value of each float dtype: what masked attention scores get (as in HF). */
export const LOWEST: Record<FloatDType, number> = {
  float32: -3.4028234663852886e38,
  float64: -Number.MAX_VALUE,
};

/**
 * The `seed` attribute of the `index`-th Dropout node (in graph order) for a run seed.
 * Distinct per node, deterministic, in [1, 2³¹ − 1].
 */
export function dropoutSeed(seed: number, index: number): number {
  return new SeededRandom(seed, 0x5eed + index).nextUint32() & 0x7fffffff || 1;
}

/**
 * A copy of `graph` whose Dropout nodes get the seeds `dropoutSeed(seed, k)` for the k-th
 * Dropout node: the trainer rebuilds its session with this at a checkpoint for exact resume.
 */
export function reseedDropout(graph: Graph, seed: number): Graph {
  let k = 0;
  const nodes: Node[] = graph.nodes.map((n) =>
    n.opType !== 'Dropout'
      ? n
      : { ...n, attributes: { ...n.attributes, seed: { kind: 'int', value: dropoutSeed(seed, k++) } } },
  );
  return { ...graph, nodes };
}

function toDType(name: string, t: TensorData, dtype: FloatDType): TensorData {
  if (t.dtype === dtype) return t;
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw new GraphError(`parameter '${name}' has dtype ${t.dtype}; expected float32 or float64`);
  return {
    dtype,
    dims: t.dims,
    data:
      dtype === 'float64'
        ? Float64Array.from(t.data as Float32Array)
        : Float32Array.from(t.data as Float64Array),
  };
}

/** A LayerContext over a builder: parameters as inputs or initializers, optional dropout. */
export function createLayerContext(b: GraphBuilder, cfg: GPTConfig, opts: LayerContextOptions): LayerContext {
  const dtype = opts.dtype ?? 'float32';
  const shapes = paramShapes(cfg);
  if (opts.lora !== undefined) for (const [n, d] of loraShapes(cfg, opts.lora)) shapes.set(n, d);
  const made = new Map<string, Value>();
  const dropoutNodes: string[] = [];
  const dropoutMasks: string[] = [];
  const ratios = new Map<number, Value>();
  let training: Value | undefined;
  return {
    b,
    cfg,
    dtype,
    dropoutNodes,
    dropoutMasks,
    lora: opts.lora,
    param(name) {
      const have = made.get(name);
      if (have !== undefined) return have;
      const dims = shapes.get(name);
      if (dims === undefined) throw new GraphError(`'${name}' is not a GPT-2 parameter of this config`);
      let v: Value;
      if (opts.params === 'inputs') v = b.input(name, dtype, dims);
      else {
        const t = opts.params.get(name);
        if (t === undefined) throw new GraphError(`parameter '${name}' is missing from the given params`);
        if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i]))
          throw new GraphError(
            `parameter '${name}' has shape [${t.dims.join(', ')}], the config expects [${dims.join(', ')}]`,
          );
        v = b.initializer(name, toDType(name, t, dtype));
      }
      made.set(name, v);
      return v;
    },
    dropout(x, site, p = cfg.dropout) {
      if (opts.dropout === undefined || opts.dropout === false || p === 0) return x;
      let ratio = ratios.get(p);
      if (ratio === undefined) {
        ratio = b.scalar(p, dtype);
        ratios.set(p, ratio);
      }
      training ??= b.constant({ dtype: 'bool', dims: [], data: Uint8Array.from([1]) }, 'training_mode');
      const seed = dropoutSeed(opts.dropout.seed, dropoutNodes.length);
      const name = b.uniqueName(site);
      const [y, mask] = b.op('Dropout', [x, ratio, training], { seed }, { name, outputs: 2 }); // same shape as x, + bool mask
      dropoutNodes.push(name);
      dropoutMasks.push(mask!.name);
      return y!;
    },
  };
}

/** LayerNorm over the last axis with `${prefix}.weight` / `.bias`. */
export function layerNorm(ctx: LayerContext, x: Value, prefix: string): Value {
  const { b } = ctx;
  const g = ctx.param(`${prefix}.weight`); // (C)
  const beta = ctx.param(`${prefix}.bias`); // (C)
  return b.op1('LayerNormalization', [x, g, beta], {
    axis: -1,
    epsilon: { kind: 'float', value: ctx.cfg.layerNormEps },
  }); // (..., C)
}

/**
 * x · W + bias with GPT-2's Conv1D layout (W is [in, out]). A LoRA-targeted layer adds
 * (α/r) · dropout(x) · Aᵀ · Bᵀ with A [r, in] and B [out, r] (see lora/config.ts).
 */
export function linear(ctx: LayerContext, x: Value, prefix: string): Value {
  const { b, lora } = ctx;
  const xw = b.matmul(x, ctx.param(`${prefix}.weight`)); // (B, T, out)
  const y = b.add(xw, ctx.param(`${prefix}.bias`)); // (B, T, out)
  if (lora === undefined || loraTargetOf(prefix, lora) === undefined) return y;
  const a = ctx.param(`${prefix}.lora_A.weight`); // (r, in)
  const bw = ctx.param(`${prefix}.lora_B.weight`); // (out, r)
  const xd = ctx.dropout(x, `${prefix}.lora_dropout`, lora.dropout); // (B, T, in)
  const down = b.matmul(xd, b.transpose(a, [1, 0])); // (B, T, r)
  const scaled = b.mul(down, b.scalar(loraScale(lora), ctx.dtype)); // (B, T, r)
  return b.add(y, b.matmul(scaled, b.transpose(bw, [1, 0]))); // (B, T, out)
}

/** (B, T, C) → (B, H, T, D) */
function splitHeads(ctx: LayerContext, x: Value): Value {
  const { nHead: H, nEmbd: C } = ctx.cfg;
  return ctx.b.transpose(ctx.b.reshape(x, [0, 0, H, C / H]), [0, 2, 1, 3]); // (B, H, T, D)
}

/** Keys and values of one layer, (B, H, S, D) each. */
export interface KeyValue {
  readonly key: Value;
  readonly value: Value;
}

/** Options of `attention` for cached decoding. */
export interface AttentionOptions {
  /** Keys/values of earlier positions (B, H, P, D); concatenated before the new ones. */
  past?: KeyValue;
  /** Value names of the concatenated keys/values (e.g. `present.0.key`). */
  presentNames?: { key: string; value: string };
  /** The symbolic name of S = P + T for the concatenated keys/values. */
  totalDim?: Dim;
}

/**
 * Causal self-attention of block `prefix` (`transformer.h.{i}`). `allowed` is a bool
 * mask broadcastable to (B, H, T, S): true where query t may attend to key s.
 * Returns the output (B, T, C) and this layer's keys/values (B, H, S, D).
 */
export function attention(
  ctx: LayerContext,
  x: Value,
  prefix: string,
  allowed: Value,
  opts: AttentionOptions = {},
): { y: Value; present: KeyValue } {
  const { b, cfg, dtype } = ctx;
  const C = cfg.nEmbd;
  const D = C / cfg.nHead;
  const qkv = linear(ctx, x, `${prefix}.attn.c_attn`); // (B, T, 3C)
  const [q0, k0, v0] = b.op('Split', [qkv, b.ints([C, C, C])], { axis: 2 }, { outputs: 3 }) as [
    Value,
    Value,
    Value,
  ]; // 3 × (B, T, C)
  const q = b.mul(splitHeads(ctx, q0), b.scalar(1 / Math.sqrt(D), dtype)); // (B, H, T, D), pre-scaled by 1/√D
  let k = splitHeads(ctx, k0); // (B, H, T, D)
  let v = splitHeads(ctx, v0); // (B, H, T, D)
  if (opts.past !== undefined) {
    const info = (name: string | undefined) => ({
      outputNames: name === undefined ? undefined : [name],
      outputInfos:
        opts.totalDim === undefined
          ? undefined
          : [{ dtype, shape: [k.shape[0]!, cfg.nHead, opts.totalDim, D] }],
    });
    k = b.op1('Concat', [opts.past.key, k], { axis: 2 }, info(opts.presentNames?.key)); // (B, H, S, D)
    v = b.op1('Concat', [opts.past.value, v], { axis: 2 }, info(opts.presentNames?.value)); // (B, H, S, D)
  } else if (opts.presentNames !== undefined) {
    k = b.op1('Identity', [k], {}, { outputNames: [opts.presentNames.key] }); // (B, H, T, D)
    v = b.op1('Identity', [v], {}, { outputNames: [opts.presentNames.value] }); // (B, H, T, D)
  }
  const scores = b.matmul(q, b.transpose(k, [0, 1, 3, 2])); // (B, H, T, S)
  const masked = b.op1('Where', [allowed, scores, b.scalar(LOWEST[dtype], dtype)]); // (B, H, T, S)
  const att = ctx.dropout(b.op1('Softmax', [masked], { axis: -1 }), `${prefix}.attn.attn_dropout`); // (B, H, T, S)
  const yh = b.matmul(att, v); // (B, H, T, D)
  const y = b.reshape(b.transpose(yh, [0, 2, 1, 3]), [0, 0, C]); // (B, T, C)
  const out = ctx.dropout(linear(ctx, y, `${prefix}.attn.c_proj`), `${prefix}.attn.resid_dropout`); // (B, T, C)
  return { y: out, present: { key: k, value: v } };
}

/** GPT-2 MLP: c_fc (C → 4C), GELU (tanh approximation), c_proj (4C → C). */
export function mlp(ctx: LayerContext, x: Value, prefix: string): Value {
  const h = linear(ctx, x, `${prefix}.mlp.c_fc`); // (B, T, 4C)
  const g = ctx.b.op1('Gelu', [h], { approximate: 'tanh' }); // (B, T, 4C)
  return ctx.dropout(linear(ctx, g, `${prefix}.mlp.c_proj`), `${prefix}.mlp.dropout`); // (B, T, C)
}

/** One pre-LayerNorm block: x + attn(ln_1(x)), then + mlp(ln_2(·)). */
export function block(
  ctx: LayerContext,
  x: Value,
  layer: number,
  allowed: Value,
  opts: AttentionOptions = {},
): { x: Value; present: KeyValue } {
  const p = `transformer.h.${layer}`;
  const a = attention(ctx, layerNorm(ctx, x, `${p}.ln_1`), p, allowed, opts); // (B, T, C)
  const x1 = ctx.b.add(x, a.y); // (B, T, C)
  const x2 = ctx.b.add(x1, mlp(ctx, layerNorm(ctx, x1, `${p}.ln_2`), p)); // (B, T, C)
  return { x: x2, present: a.present };
}

/** The tied LM head: h · wteᵀ. */
export function lmHead(ctx: LayerContext, h: Value): Value {
  const wteT = ctx.b.transpose(ctx.param('transformer.wte.weight'), [1, 0]); // (C, V)
  return ctx.b.matmul(h, wteT); // (B, T, V)
}
