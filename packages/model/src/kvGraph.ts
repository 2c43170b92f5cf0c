// The KV-cache inference graph of GPT-2 in Hugging Face Optimum's decoder layout.
// One graph serves both in-process generation and ONNX export: the first call
// passes an empty past (past_sequence_length 0) and the whole prompt, later calls
// pass one new token and the previous call's `present.*` tensors as `past_key_values.*`.
//
// Legend: B batch, T new tokens (sequence_length), P past length, S = P + T,
// C nEmbd, H nHead, D head dim (C / H), V vocab, L nLayer.
// Reference: Hugging Face GPT2LMHeadModel (use_cache=True) and Optimum's ONNX
// export naming (`past_key_values.{i}.key`, `present.{i}.key`).

import { type Graph, GraphBuilder, type Value } from '@spinettai/graph';
import type { GPTConfig } from './config.js';
import { block, createLayerContext, type KeyValue, layerNorm, lmHead } from './layers.js';
import type { Params } from './params.js';

/** Symbolic dim names of the KV-cache graph's inputs and outputs. */
export const KV_DIMS = {
  batch: 'batch_size',
  sequence: 'sequence_length',
  past: 'past_sequence_length',
  total: 'past_sequence_length + sequence_length',
} as const;

/** Input name of layer `i`'s past keys or values. */
export const pastName = (i: number, kind: 'key' | 'value'): string => `past_key_values.${i}.${kind}`;
/** Output name of layer `i`'s present keys or values. */
export const presentName = (i: number, kind: 'key' | 'value'): string => `present.${i}.${kind}`;

/** A scalar int64 taken from a 1-D shape value at `index`. */
function dimOf(b: GraphBuilder, shape: Value, index: number, name: string): Value {
  return b.op1(
    'Gather',
    [shape, b.scalar(index, 'int64')],
    { axis: 0 },
    { name, outputInfos: [{ dtype: 'int64', shape: [] }] },
  );
}

/**
 * Builds the KV-cache graph from GPT-2 weights (Hugging Face names, as `loadCheckpoint`
 * returns them). Weights become initializers; the LM head reuses `transformer.wte.weight`.
 *
 * @example
 * ```ts
 * import { serializeModel } from '@spinettai/graph';
 * import { buildKvCacheGraph, initParams, TextGenerator, validateConfig } from '@spinettai/model';
 * import * as ort from 'onnxruntime-web';
 *
 * const config = validateConfig({ vocabSize: 512, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 64 });
 * const model = serializeModel(buildKvCacheGraph(config, initParams(config, 1337)));
 * const generator = await TextGenerator.create({ ort, model, config });
 * ```
 */
export function buildKvCacheGraph(cfg: GPTConfig, params: Params): Graph {
  const { nLayer: L, nHead: H, nEmbd: C } = cfg;
  const D = C / H;
  const { batch, sequence, past, total } = KV_DIMS;
  const b = new GraphBuilder('gpt2_kv_cache');
  const ctx = createLayerContext(b, cfg, { params, dtype: 'float32' });

  const inputIds = b.input('input_ids', 'int64', [batch, sequence]); // (B, T)
  const attentionMask = b.input('attention_mask', 'int64', [batch, total]); // (B, S)
  const positionIds = b.input('position_ids', 'int64', [batch, sequence]); // (B, T)
  const pasts: KeyValue[] = [];
  for (let i = 0; i < L; i++) {
    pasts.push({
      key: b.input(pastName(i, 'key'), 'float32', [batch, H, past, D]), // (B, H, P, D)
      value: b.input(pastName(i, 'value'), 'float32', [batch, H, past, D]), // (B, H, P, D)
    });
  }

  const tok = b.op1('Gather', [ctx.param('transformer.wte.weight'), inputIds], { axis: 0 }, { name: 'wte' }); // (B, T, C)
  const pos = b.op1(
    'Gather',
    [ctx.param('transformer.wpe.weight'), positionIds],
    { axis: 0 },
    { name: 'wpe' },
  ); // (B, T, C)
  let x = b.add(tok, pos); // (B, T, C)

  // Mask shared by all layers: query i (absolute position P + i) sees key j when
  // j <= P + i and attention_mask[b, j] is 1.
  const tLen = dimOf(b, b.op1('Shape', [inputIds], {}, { name: 'ids_shape' }), 1, 'T'); // ()
  const sLen = dimOf(b, b.op1('Shape', [attentionMask], {}, { name: 'mask_shape' }), 1, 'S'); // ()
  const pLen = b.op1('Sub', [sLen, tLen], {}, { name: 'P' }); // ()
  const one = b.scalar(1, 'int64');
  const rows = b.op1(
    'Range',
    [pLen, sLen, one],
    {},
    { name: 'query_pos', outputInfos: [{ dtype: 'int64', shape: [sequence] }] },
  ); // (T)
  const cols = b.op1(
    'Range',
    [b.scalar(0, 'int64'), sLen, one],
    {},
    { name: 'key_pos', outputInfos: [{ dtype: 'int64', shape: [total] }] },
  ); // (S)
  const causal = b.op1('LessOrEqual', [
    b.op1('Unsqueeze', [cols, b.ints([0])]),
    b.op1('Unsqueeze', [rows, b.ints([1])]),
  ]); // (T, S)
  const keep = b.cast(b.op1('Unsqueeze', [attentionMask, b.ints([1, 2])]), 'bool'); // (B, 1, 1, S)
  const allowed = b.op1('And', [causal, keep], {}, { name: 'attn_allowed' }); // (B, 1, T, S)

  for (let i = 0; i < L; i++) {
    const presentNames = { key: presentName(i, 'key'), value: presentName(i, 'value') };
    x = block(ctx, x, i, allowed, { past: pasts[i]!, presentNames, totalDim: total }).x; // (B, T, C)
  }
  const h = layerNorm(ctx, x, 'transformer.ln_f'); // (B, T, C)
  const logits = b.op1('Identity', [lmHead(ctx, h)], {}, { outputNames: ['logits'] }); // (B, T, V)

  b.output(logits);
  for (let i = 0; i < L; i++) {
    b.output(b.value(presentName(i, 'key')));
    b.output(b.value(presentName(i, 'value')));
  }
  return b.build();
}
