// The GPT-2 hyper-parameters, their validation, and the mapping to and from a
// Hugging Face `config.json` (GPT2Config). Field names are camelCase here and keep
// Hugging Face's snake_case spelling on disk.
// Reference: transformers/models/gpt2/configuration_gpt2.py (GPT2Config).

/** A GPT-2 model's shape. */
export interface GPTConfig {
  /** Number of token ids the embedding and LM head cover (V). */
  readonly vocabSize: number;
  /** Longest context in tokens; size of the position embedding (T max, HF `n_positions`). */
  readonly blockSize: number;
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

/** A small GPT-2 suited to one artist's lyrics on a CPU. */
export const DEFAULT_GPT_CONFIG: GPTConfig = Object.freeze({
  vocabSize: 4096, // byte-level BPE vocabulary trained on the corpus
  blockSize: 128, // tokens of context
  nLayer: 4, // transformer blocks
  nHead: 4, // heads per block
  nEmbd: 256, // residual width
  dropout: 0.1, // training-time dropout
  layerNormEps: 1e-5, // GPT-2's LayerNorm epsilon
});

/** A config field is missing, out of range or inconsistent. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    /** The offending field (camelCase), when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Upper limits that catch typos (a 10⁹-token vocabulary) before they allocate gigabytes. */
const LIMITS = {
  vocabSize: 1_000_000,
  blockSize: 1_048_576,
  nLayer: 1024,
  nHead: 1024,
  nEmbd: 65_536,
} as const;

function positiveInt(field: keyof typeof LIMITS, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ConfigError(
      `config.${field} must be a positive integer, got ${String(v)}; set it to e.g. ${DEFAULT_GPT_CONFIG[field]}`,
      field,
    );
  }
  if (v > LIMITS[field]) {
    throw new ConfigError(
      `config.${field} = ${v} exceeds the limit ${LIMITS[field]}; use a smaller value`,
      field,
    );
  }
  return v;
}

/**
 * Fills missing fields from `DEFAULT_GPT_CONFIG` and checks every field; throws a
 * `ConfigError` naming the field and the fix.
 */
export function validateConfig(partial: Partial<GPTConfig> = {}): GPTConfig {
  const merged = { ...DEFAULT_GPT_CONFIG, ...stripUndefined(partial) };
  const cfg: GPTConfig = {
    vocabSize: positiveInt('vocabSize', merged.vocabSize),
    blockSize: positiveInt('blockSize', merged.blockSize),
    nLayer: positiveInt('nLayer', merged.nLayer),
    nHead: positiveInt('nHead', merged.nHead),
    nEmbd: positiveInt('nEmbd', merged.nEmbd),
    dropout: merged.dropout,
    layerNormEps: merged.layerNormEps,
  };
  if (cfg.nEmbd % cfg.nHead !== 0) {
    throw new ConfigError(
      `config.nEmbd (${cfg.nEmbd}) must be divisible by config.nHead (${cfg.nHead}); pick nHead among the divisors of nEmbd`,
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
      `config.dropout must be in [0, 1), got ${String(cfg.dropout)}; use e.g. 0.1 or 0`,
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
      `config.layerNormEps must be in (0, 1], got ${String(cfg.layerNormEps)}; GPT-2 uses 1e-5`,
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
  n_positions: number;
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
    n_positions: cfg.blockSize,
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

/** GELU variants that are the tanh approximation SpinettAI's graph computes. */
const TANH_GELUS = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']);

/**
 * Reads a Hugging Face GPT-2 `config.json` object. Throws `ConfigError` when it is not
 * a GPT-2 config this package can run exactly (other activation, untied head, n_inner ≠ 4C…).
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
      `config.json activation_function '${String(act)}' is not supported; GPT-2 uses 'gelu_new'`,
      'activation_function',
    );
  }
  if (j['tie_word_embeddings'] === false) {
    throw new ConfigError(
      'config.json tie_word_embeddings is false; only tied LM heads are supported',
      'tie_word_embeddings',
    );
  }
  const nEmbd = j['n_embd'];
  if (
    j['n_inner'] !== undefined &&
    j['n_inner'] !== null &&
    j['n_inner'] !== (typeof nEmbd === 'number' ? 4 * nEmbd : NaN)
  ) {
    throw new ConfigError(
      `config.json n_inner ${String(j['n_inner'])} is not 4·n_embd; only GPT-2's 4C MLP is supported`,
      'n_inner',
    );
  }
  for (const flag of ['scale_attn_by_inverse_layer_idx', 'reorder_and_upcast_attn'] as const) {
    if (j[flag] === true) throw new ConfigError(`config.json ${flag} = true is not supported`, flag);
  }
  if (j['scale_attn_weights'] === false) {
    throw new ConfigError('config.json scale_attn_weights = false is not supported', 'scale_attn_weights');
  }
  const num = (k: string): number | undefined => (typeof j[k] === 'number' ? (j[k] as number) : undefined);
  for (const k of ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head']) {
    if (j[k] === undefined) throw new ConfigError(`config.json is missing '${k}'`, k);
  }
  return validateConfig({
    vocabSize: j['vocab_size'] as number,
    blockSize: j['n_positions'] as number,
    nLayer: j['n_layer'] as number,
    nHead: j['n_head'] as number,
    nEmbd: nEmbd as number,
    dropout: num('resid_pdrop') ?? 0,
    layerNormEps: num('layer_norm_epsilon') ?? 1e-5,
  });
}
