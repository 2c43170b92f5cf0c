// The GPT-2 forward graph for training and evaluation: exactly Hugging Face's
// GPT2LMHeadModel (learned token + position embeddings, pre-LayerNorm blocks,
// causal self-attention, GELU-tanh MLP, final ln_f, LM head tied to wte), with an
// optional mean cross-entropy loss and training-mode dropout.
//
// Op types used (the trainer has a gradient rule or a no-gradient entry for each):
//   float path:  Gather, Add, Mul, MatMul, Transpose, Reshape, Split,
//                LayerNormalization, Where, Softmax, Gelu, Dropout,
//                SoftmaxCrossEntropyLoss, Identity (naming the outputs)
//   int/bool only (no gradient): Shape, Slice, Concat — only when T is symbolic.
// Graph inputs: `input_ids` int64 (B, T), optional `targets` int64 (B, T) (−1 = ignore),
// and (params: 'inputs') every parameter by Hugging Face name in `paramShapes` order.
// Graph outputs: `loss` () when targets are given, `logits` (B, T, V) unless disabled.
//
// Legend: B batch, T sequence, C nEmbd, V vocab, L nLayer, H nHead, D = C / H.
// Reference: transformers/models/gpt2/modeling_gpt2.py; nanoGPT model.py.

import { type Dim, type Graph, GraphBuilder, GraphError, type Value } from '@spinettai/graph';
import type { GPTConfig } from './config.js';
import { block, createLayerContext, type FloatDType, layerNorm, lmHead } from './layers.js';
import type { LoraConfig } from './lora/config.js';
import { loraShapes } from './lora/params.js';
import { type Params, paramShapes } from './params.js';

/** Options of `buildGptGraph`. */
export interface GptGraphOptions {
  /** Batch dim: a number or a symbolic name (default 'batch'). */
  batch?: Dim;
  /** Sequence dim: a number ≤ blockSize or a symbolic name (default 'sequence'). */
  seqLen?: Dim;
  /** 'inputs' (default): parameters are graph inputs named by HF name; a Params map: initializers. */
  params?: 'inputs' | Params;
  /** Element type of parameters and activations (default float32). */
  dtype?: FloatDType;
  /** Training-mode Dropout nodes (ratio cfg.dropout, distinct seeds derived from `seed`); default false. */
  dropout?: false | { seed: number };
  /** Add the `targets` input and the `loss` output (default false). */
  targets?: boolean;
  /** Output `logits` (default true). */
  logits?: boolean;
  /** Graph name (default 'gpt2'). */
  name?: string;
  /** LoRA adapters on the targeted linear layers; their parameters follow the base ones. */
  lora?: LoraConfig | undefined;
}

/** A built GPT-2 graph and the names a caller needs to feed and read it. */
export interface GptGraph {
  readonly graph: Graph;
  /** Parameter names in `paramShapes` order (graph inputs or initializers). */
  readonly paramNames: readonly string[];
  /** LoRA parameter names in `loraShapes` order (empty without `lora`). */
  readonly loraParamNames: readonly string[];
  /** Names of the Dropout nodes, in seed order (empty without dropout). */
  readonly dropoutNodes: readonly string[];
  /**
   * Value names of the Dropout masks, same order. onnxruntime removes a Dropout whose mask
   * nothing consumes (EliminateDropout), so a forward-only graph runs without dropout unless
   * the masks are used, e.g. by the backward pass or as graph outputs.
   */
  readonly dropoutMasks: readonly string[];
  /** Graph input names. */
  readonly inputs: { readonly inputIds: 'input_ids'; readonly targets?: 'targets' };
  /** Graph output names. */
  readonly outputs: { readonly loss?: 'loss'; readonly logits?: 'logits' };
}

/** A (n, n) lower-triangular bool matrix: true where column ≤ row. */
function trilMask(n: number): Uint8Array {
  const m = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i * n + j] = 1;
  return m;
}

/** The int64 positions 0 … n−1. */
function arange(n: number): BigInt64Array {
  return BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
}

/** Causal mask (T, T) and positions (T) for a fixed or symbolic T. */
function causalMaskAndPositions(
  b: GraphBuilder,
  ids: Value,
  T: Dim,
  blockSize: number,
): { mask: Value; pos: Value } {
  if (typeof T === 'number') {
    const mask = b.constant({ dtype: 'bool', dims: [T, T], data: trilMask(T) }, 'causal_mask'); // (T, T)
    const pos = b.constant({ dtype: 'int64', dims: [T], data: arange(T) }, 'positions'); // (T)
    return { mask, pos };
  }
  // Symbolic T: slice the (blockSize, blockSize) constants to the actual length.
  const full = b.constant(
    { dtype: 'bool', dims: [blockSize, blockSize], data: trilMask(blockSize) },
    'causal_mask_full',
  ); // (Tmax, Tmax)
  const allPos = b.constant({ dtype: 'int64', dims: [blockSize], data: arange(blockSize) }, 'positions_full'); // (Tmax)
  const t1 = b.op1('Shape', [ids], { start: 1, end: 2 }, { name: 'seq_len' }); // (1)
  const tt = b.op1('Concat', [t1, t1], { axis: 0 }, { name: 'seq_len_2' }); // (2)
  const mask = b.op1(
    'Slice',
    [full, b.ints([0, 0]), tt, b.ints([0, 1])],
    {},
    { name: 'causal_mask', outputInfos: [{ dtype: 'bool', shape: [T, T] }] },
  ); // (T, T)
  const pos = b.op1(
    'Slice',
    [allPos, b.ints([0]), t1, b.ints([0])],
    {},
    { name: 'positions', outputInfos: [{ dtype: 'int64', shape: [T] }] },
  ); // (T)
  return { mask, pos };
}

/**
 * Builds GPT2LMHeadModel as an ONNX graph. With `params: 'inputs'` the trainer feeds
 * the weights and differentiates the `loss` with respect to them.
 *
 * @example
 * ```ts
 * import { serializeModel } from '@spinettai/graph';
 * import { buildGptGraph, initParams, validateConfig } from '@spinettai/model';
 *
 * const config = validateConfig({ vocabSize: 512, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 64 });
 * const { graph } = buildGptGraph(config, { params: initParams(config, 1337) }); // logits (B, T, V)
 * const onnxBytes = serializeModel(graph); // for InferenceSession.create
 * ```
 */
export function buildGptGraph(cfg: GPTConfig, opts: GptGraphOptions = {}): GptGraph {
  const B = opts.batch ?? 'batch';
  const T = opts.seqLen ?? 'sequence';
  if (typeof T === 'number' && (!Number.isInteger(T) || T < 1 || T > cfg.blockSize))
    throw new GraphError(`seqLen ${T} must be an integer in [1, blockSize = ${cfg.blockSize}]`);
  const wantLogits = opts.logits ?? true;
  if (!wantLogits && !opts.targets)
    throw new GraphError('buildGptGraph: enable logits or targets, or the graph has no outputs');
  const b = new GraphBuilder(opts.name ?? 'gpt2');
  const ctx = createLayerContext(b, cfg, {
    params: opts.params ?? 'inputs',
    dtype: opts.dtype ?? 'float32',
    dropout: opts.dropout ?? false,
    lora: opts.lora,
  });

  const ids = b.input('input_ids', 'int64', [B, T]); // (B, T)
  const targets = opts.targets ? b.input('targets', 'int64', [B, T]) : undefined; // (B, T)
  // Declare parameter inputs up front so they appear in paramShapes order.
  const paramNames = [...paramShapes(cfg).keys()];
  for (const name of paramNames) ctx.param(name);
  const loraParamNames = opts.lora === undefined ? [] : [...loraShapes(cfg, opts.lora).keys()];
  for (const name of loraParamNames) ctx.param(name);

  const { mask, pos } = causalMaskAndPositions(b, ids, T, cfg.blockSize);
  const tok = b.op1('Gather', [ctx.param('transformer.wte.weight'), ids], { axis: 0 }, { name: 'wte' }); // (B, T, C)
  const posEmb = b.op1('Gather', [ctx.param('transformer.wpe.weight'), pos], { axis: 0 }, { name: 'wpe' }); // (T, C)
  let x = ctx.dropout(b.add(tok, posEmb), 'transformer.drop'); // (B, T, C)
  for (let i = 0; i < cfg.nLayer; i++) x = block(ctx, x, i, mask).x; // (B, T, C)
  const h = layerNorm(ctx, x, 'transformer.ln_f'); // (B, T, C)
  const logits = lmHead(ctx, h); // (B, T, V)

  const outputs: { loss?: 'loss'; logits?: 'logits' } = {};
  if (targets !== undefined) {
    const flat = b.reshape(logits, [-1, cfg.vocabSize]); // (B·T, V)
    const labels = b.reshape(targets, [-1]); // (B·T)
    const [loss] = b.op(
      'SoftmaxCrossEntropyLoss',
      [flat, labels],
      { reduction: 'mean', ignore_index: -1 },
      { name: 'loss_sce', outputs: 2 },
    ); // (), + log-probs (B·T, V)
    b.output(loss!, 'loss');
    outputs.loss = 'loss';
  }
  if (wantLogits) {
    b.output(logits, 'logits');
    outputs.logits = 'logits';
  }
  return {
    graph: b.build(),
    paramNames,
    loraParamNames,
    dropoutNodes: [...ctx.dropoutNodes],
    dropoutMasks: [...ctx.dropoutMasks],
    inputs: targets === undefined ? { inputIds: 'input_ids' } : { inputIds: 'input_ids', targets: 'targets' },
    outputs,
  };
}
