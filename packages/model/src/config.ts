// The GPT-2 hyper-parameters, their validation, and the mapping to and from a
// Hugging Face `config.json` (GPT2Config). Field names are camelCase here and keep
// Hugging Face's snake_case spelling on disk.
// Reference: transformers/models/gpt2/configuration_gpt2.py (GPT2Config).

import { ModelError } from './errors.js';

/** A GPT-2 model's shape. */
export interface GPTConfig {
  /** Number of token ids the embedding and LM head cover (V). */
  readonly vocabSize: number;
  /**
   * Context in tokens that training and generation use (T max, HF `n_ctx`); at most
   * `nPositions`. Fine-tuning a 1,024-position model at 256 tokens sets only this.
   */
  readonly blockSize: number;
  /** Rows of the position embedding wpe (HF `n_positions`); defaults to `blockSize`. */
  readonly nPositions: number;
  /** Number of transformer blocks (L). */
  readonly nLayer: number;
  /** Number of attention heads per block (NH); must divide `nEmbd`. */
  readonly nHead: number;
  /** Width of the residual stream (C). */
  readonly nEmbd: number;
  /** Dropout probability used while training, in [0, 1) (HF resid/embd/attn_pdrop). */
  readonly dropout: number;
  /** Epsilon of every LayerNorm (HF `layer_norm_epsilon`). */
  readonly layerNormEps: number;
}

/** A small GPT-2 suited to one artist's lyrics on a CPU (nPositions follows blockSize). */
export const DEFAULT_GPT_CONFIG: Readonly<Omit<GPTConfig, 'nPositions'>> = Object.freeze({
  vocabSize: 4096, // byte-level BPE vocabulary trained on the corpus
  blockSize: 128, // tokens of context
  nLayer: 4, // transformer blocks
  nHead: 4, // heads per block
  nEmbd: 256, // residual width
  dropout: 0.1, // training-time dropout
  layerNormEps: 1e-5, // GPT-2's LayerNorm epsilon
});

/** A config field is missing, out of range or inconsistent. */
export class ConfigError extends ModelError {
  override readonly name: string = 'ConfigError';
  /** @param field The offending field (camelCase; a config.json field keeps its snake_case name), when there is one. */
  constructor(message: string, field?: string) {
    super(message, { field });
  }
}

/** Upper limits that catch typos (a 10⁹-token vocabulary) before they allocate gigabytes. */
const LIMITS = {
  vocabSize: 1_000_000,
  blockSize: 1_048_576,
  nPositions: 1_048_576,
  nLayer: 1024,
  nHead: 1024,
  nEmbd: 65_536,
} as const;

const FIELDS: readonly (keyof GPTConfig)[] = [
  'vocabSize',
  'blockSize',
  'nPositions',
  'nLayer',
  'nHead',
  'nEmbd',
  'dropout',
  'layerNormEps',
];

/** How a message names a field: `config.nHead` for the library, `config.json n_head` for a file. */
type Namer = (field: keyof GPTConfig) => string;
const libraryName: Namer = (field) => `config.${field}`;

function positiveInt(field: keyof typeof LIMITS, v: unknown, name: Namer): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    const example = DEFAULT_GPT_CONFIG[field === 'nPositions' ? 'blockSize' : field];
    throw new ConfigError(
      `${name(field)} must be a positive integer, got ${String(v)}; set it to e.g. ${example}`,
      field,
    );
  }
  if (v > LIMITS[field]) {
    throw new ConfigError(
      `${name(field)} = ${v} exceeds the limit ${LIMITS[field]}; use a smaller value`,
      field,
    );
  }
  return v;
}

/**
 * Fills missing fields from `DEFAULT_GPT_CONFIG` (`nPositions` from `blockSize`) and
 * checks every field; throws a `ConfigError` naming the field and the fix. Unknown
 * keys are refused.
 *
 * @example
 * ```ts
 * const config = validateConfig({ vocabSize: 4096, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 256 });
 * validateConfig({ nHead: 3, nEmbd: 256 }); // ConfigError: config.nEmbd (256) must be divisible by config.nHead (3); …
 * ```
 */
export function validateConfig(partial: Partial<GPTConfig> = {}): GPTConfig {
  return checkConfig(partial, libraryName);
}

function checkConfig(partial: Partial<GPTConfig>, name: Namer): GPTConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial))
    throw new ConfigError('the model config must be an object such as { nLayer: 4, nEmbd: 256 }');
  const unknown = Object.keys(partial).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new ConfigError(
      `unknown model config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; known keys: ${FIELDS.join(', ')}`,
      unknown[0],
    );
  const given = stripUndefined(partial);
  const merged = { ...DEFAULT_GPT_CONFIG, ...given };
  const nPositions =
    given.nPositions === undefined ? undefined : positiveInt('nPositions', given.nPositions, name);
  const blockSize = positiveInt('blockSize', merged.blockSize, name);
  const cfg: GPTConfig = {
    vocabSize: positiveInt('vocabSize', merged.vocabSize, name),
    blockSize,
    nPositions: nPositions ?? blockSize,
    nLayer: positiveInt('nLayer', merged.nLayer, name),
    nHead: positiveInt('nHead', merged.nHead, name),
    nEmbd: positiveInt('nEmbd', merged.nEmbd, name),
    dropout: merged.dropout,
    layerNormEps: merged.layerNormEps,
  };
  if (cfg.blockSize > cfg.nPositions) {
    throw new ConfigError(
      `${name('blockSize')} (${cfg.blockSize}) exceeds ${name('nPositions')} (${cfg.nPositions}), the rows of the position embedding; use a context of at most ${cfg.nPositions} tokens`,
      'blockSize',
    );
  }
  if (cfg.nEmbd % cfg.nHead !== 0) {
    throw new ConfigError(
      `${name('nEmbd')} (${cfg.nEmbd}) must be divisible by ${name('nHead')} (${cfg.nHead}); pick the number of heads among the divisors of the width`,
      'nEmbd',
    );
  }
  if (
    typeof cfg.dropout !== 'number' ||
    !Number.isFinite(cfg.dropout) ||
    cfg.dropout < 0 ||
    cfg.dropout >= 1
  ) {
    throw new ConfigError(
      `${name('dropout')} must be in [0, 1), got ${String(cfg.dropout)}; use e.g. 0.1 or 0`,
      'dropout',
    );
  }
  if (
    typeof cfg.layerNormEps !== 'number' ||
    !Number.isFinite(cfg.layerNormEps) ||
    cfg.layerNormEps <= 0 ||
    cfg.layerNormEps > 1
  ) {
    throw new ConfigError(
      `${name('layerNormEps')} must be in (0, 1], got ${String(cfg.layerNormEps)}; GPT-2 uses 1e-5`,
      'layerNormEps',
    );
  }
  return Object.freeze(cfg);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The `config.json` of a Hugging Face GPT-2 model, as far as SpinettAI reads and writes it. */
export interface HfGpt2Config {
  model_type: 'gpt2';
  architectures: string[];
  vocab_size: number;
  /** Rows of the position embedding. */
  n_positions: number;
  /** GPT-2's context length; SpinettAI writes its training block size here (≤ n_positions). */
  n_ctx: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  n_inner: number | null;
  activation_function: string;
  resid_pdrop: number;
  embd_pdrop: number;
  attn_pdrop: number;
  layer_norm_epsilon: number;
  initializer_range: number;
  bos_token_id: number;
  eos_token_id: number;
  tie_word_embeddings: boolean;
  scale_attn_weights: boolean;
  use_cache: boolean;
  [key: string]: unknown;
}

/** Maps a config to Hugging Face GPT2Config JSON (keys in a fixed order). */
export function toHfConfig(cfg: GPTConfig, ids: { bosTokenId: number; eosTokenId: number }): HfGpt2Config {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: cfg.vocabSize,
    n_positions: cfg.nPositions,
    n_ctx: cfg.blockSize,
    n_embd: cfg.nEmbd,
    n_layer: cfg.nLayer,
    n_head: cfg.nHead,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: cfg.dropout,
    embd_pdrop: cfg.dropout,
    attn_pdrop: cfg.dropout,
    layer_norm_epsilon: cfg.layerNormEps,
    initializer_range: 0.02,
    bos_token_id: ids.bosTokenId,
    eos_token_id: ids.eosTokenId,
    tie_word_embeddings: true,
    scale_attn_weights: true,
    use_cache: true,
  };
}

/** config.json names of the GPTConfig fields. */
const HF_NAMES: Readonly<Record<keyof GPTConfig, string>> = {
  vocabSize: 'vocab_size',
  blockSize: 'n_ctx',
  nPositions: 'n_positions',
  nLayer: 'n_layer',
  nHead: 'n_head',
  nEmbd: 'n_embd',
  dropout: 'resid_pdrop',
  layerNormEps: 'layer_norm_epsilon',
};
const fileName: Namer = (field) => `config.json ${HF_NAMES[field]}`;

/** GELU variants that are the tanh approximation SpinettAI's graph computes. */
const TANH_GELUS = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']);

/**
 * Flags of GPT2Config that change the computation, with the value SpinettAI's graph
 * computes (absent means the default, which is that value). `reorder_and_upcast_attn`
 * only changes the order and precision of the scaling under float16, so either value
 * is exact here.
 */
const FLAGS: readonly [string, boolean | 'any', string][] = [
  ['tie_word_embeddings', true, 'the LM head must be tied to wte'],
  ['scale_attn_weights', true, 'attention is scaled by 1/√head_dim'],
  ['scale_attn_by_inverse_layer_idx', false, 'no per-layer attention scaling'],
  ['add_cross_attention', false, 'decoder-only, no cross-attention'],
  ['is_encoder_decoder', false, 'decoder-only'],
  ['reorder_and_upcast_attn', 'any', ''],
];

/**
 * Reads a Hugging Face GPT-2 `config.json` object as gpt2 and distilgpt2 write it.
 * Throws `ConfigError` naming the config.json field (`.field`) when it holds a value
 * this package cannot run exactly (another activation, an untied head, n_inner ≠ 4C…).
 * `blockSize` comes from `n_ctx` when present, else from `n_positions`.
 */
export function fromHfConfig(json: unknown): GPTConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('config.json must hold a JSON object');
  }
  const j = json as Record<string, unknown>;
  if (j['model_type'] !== undefined && j['model_type'] !== 'gpt2') {
    throw new ConfigError(
      `config.json model_type is '${String(j['model_type'])}'; only 'gpt2' models are supported`,
      'model_type',
    );
  }
  const act = j['activation_function'] ?? 'gelu_new';
  if (typeof act !== 'string' || !TANH_GELUS.has(act)) {
    throw new ConfigError(
      `config.json activation_function '${String(act)}' is not supported; GPT-2 uses 'gelu_new' (tanh GELU)`,
      'activation_function',
    );
  }
  for (const [flag, want, why] of FLAGS) {
    const v = j[flag];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean')
      throw new ConfigError(`config.json ${flag} must be true or false, got ${JSON.stringify(v)}`, flag);
    if (want !== 'any' && v !== want)
      throw new ConfigError(
        `config.json ${flag} = ${v} is not supported (SpinettAI runs GPT-2 with ${flag} = ${want}: ${why})`,
        flag,
      );
  }
  for (const k of ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head']) {
    if (j[k] === undefined) throw new ConfigError(`config.json is missing '${k}'`, k);
  }
  const nEmbd = j['n_embd'];
  const nInner = j['n_inner'];
  if (nInner !== undefined && nInner !== null && nInner !== (typeof nEmbd === 'number' ? 4 * nEmbd : NaN)) {
    throw new ConfigError(
      `config.json n_inner ${JSON.stringify(nInner)} is not 4·n_embd (or null); only GPT-2's 4C MLP is supported`,
      'n_inner',
    );
  }
  for (const k of ['embd_pdrop', 'attn_pdrop']) {
    const p = j[k];
    if (p !== undefined && (typeof p !== 'number' || !(p >= 0 && p < 1)))
      throw new ConfigError(`config.json ${k} must be a probability in [0, 1), got ${JSON.stringify(p)}`, k);
  }
  let cfg: GPTConfig;
  try {
    cfg = checkConfig(
      {
        vocabSize: j['vocab_size'] as number,
        nPositions: j['n_positions'] as number,
        blockSize: (j['n_ctx'] ?? j['n_positions']) as number,
        nLayer: j['n_layer'] as number,
        nHead: j['n_head'] as number,
        nEmbd: nEmbd as number,
        dropout: (j['resid_pdrop'] ?? 0.1) as number, // GPT2Config's defaults
        layerNormEps: (j['layer_norm_epsilon'] ?? 1e-5) as number,
      },
      fileName,
    );
  } catch (e) {
    if (e instanceof ConfigError && e.field !== undefined && e.field in HF_NAMES)
      throw new ConfigError(e.message, HF_NAMES[e.field as keyof GPTConfig]);
    throw e;
  }
  for (const k of ['bos_token_id', 'eos_token_id']) {
    const id = j[k];
    if (id === undefined || id === null) continue;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= cfg.vocabSize)
      throw new ConfigError(
        `config.json ${k} ${JSON.stringify(id)} is not a token id in [0, vocab_size = ${cfg.vocabSize})`,
        k,
      );
  }
  return cfg;
}
