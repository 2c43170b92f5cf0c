// LoRA (low-rank adaptation) of GPT-2's linear layers, as PEFT does it: each targeted
// Conv1D keeps its frozen weight W [in, out] and gains two small trainable matrices,
// A [r, in] and B [out, r], so that
//
//   y = x·W + b + (α / r) · dropout(x) · Aᵀ · Bᵀ
//
// A starts Kaiming-uniform, B at zero, so the adapted model starts equal to the base.
// Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models" (https://arxiv.org/abs/2106.09685).
// Defaults are PEFT's for GPT-2 (LoraConfig: r 8, lora_alpha 8, lora_dropout 0, target c_attn).

import { InvalidOptionError } from '../generate/errors.js';

/** The GPT-2 modules LoRA can adapt, named as PEFT's `target_modules` suffixes. */
export const LORA_TARGETS = ['c_attn', 'attn.c_proj', 'c_fc', 'mlp.c_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** A LoRA adapter's shape and scaling. */
export interface LoraConfig {
  /** Rank r of A [r, in] and B [out, r]. */
  rank: number;
  /** Scaling numerator: the update is multiplied by alpha / rank (PEFT's lora_alpha; default 8). */
  alpha: number;
  /** Which linear layers get an adapter (default ['c_attn']). */
  targets: readonly LoraTarget[];
  /** Dropout on the adapter's input during training (PEFT's lora_dropout; default 0). */
  dropout: number;
}

/** What a caller may give; the rest takes PEFT's defaults. */
export interface LoraOptions {
  rank: number;
  alpha?: number | undefined;
  targets?: readonly string[] | undefined;
  dropout?: number | undefined;
}

/** PEFT's defaults for GPT-2. */
export const LORA_DEFAULTS = { alpha: 8, targets: ['c_attn'] as readonly LoraTarget[], dropout: 0 } as const;

const KEYS = new Set(['rank', 'alpha', 'targets', 'dropout']);

/** Validates LoRA options and fills in the defaults; errors name the option (`lora.rank`…). */
export function resolveLora(opts: LoraOptions): LoraConfig {
  for (const k of Object.keys(opts))
    if (!KEYS.has(k))
      throw new InvalidOptionError(`lora.${k}`, `unknown option; known: ${[...KEYS].join(', ')}`);
  const { rank } = opts;
  if (!Number.isInteger(rank) || rank < 1)
    throw new InvalidOptionError('lora.rank', `must be an integer ≥ 1, got ${rank}`);
  const alpha = opts.alpha ?? LORA_DEFAULTS.alpha;
  if (!Number.isFinite(alpha) || alpha <= 0)
    throw new InvalidOptionError('lora.alpha', `must be > 0, got ${alpha}`);
  const dropout = opts.dropout ?? LORA_DEFAULTS.dropout;
  if (!(dropout >= 0 && dropout < 1))
    throw new InvalidOptionError('lora.dropout', `must be in [0, 1), got ${dropout}`);
  const targets = [...new Set(opts.targets ?? LORA_DEFAULTS.targets)];
  if (targets.length === 0) throw new InvalidOptionError('lora.targets', 'needs at least one module');
  for (const t of targets)
    if (!(LORA_TARGETS as readonly string[]).includes(t))
      throw new InvalidOptionError(
        'lora.targets',
        `unknown module '${t}'; choose from ${LORA_TARGETS.join(', ')}`,
      );
  return { rank, alpha, dropout, targets: targets as LoraTarget[] };
}

/** The target a linear layer's prefix (`transformer.h.3.mlp.c_proj`) matches, if any. */
export function loraTargetOf(prefix: string, cfg: LoraConfig): LoraTarget | undefined {
  return cfg.targets.find((t) => prefix.endsWith(`.${t}`));
}

/** The update's scale α / r. */
export const loraScale = (cfg: LoraConfig): number => cfg.alpha / cfg.rank;
