// Generation options, their defaults and their validation. Every public entry point
// (token-level and text-level) validates here first, so a bad value fails before any
// session is created, with the option's name in the message.

import type { WordRunIndex } from '../lyrics/copyGuard.js';
import { GenerationError, InvalidOptionError } from './errors.js';

/** Options of the sampler (what picks the next token from the logits). */
export interface SamplingOptions {
  /** 0 = greedy (argmax after the repetition penalty); otherwise logits are divided by it. Default 0.8. */
  temperature?: number | undefined;
  /** Keep only the k most likely tokens; 0 = off. Default 40. */
  topK?: number | undefined;
  /** Keep the smallest set of tokens whose probability sums to at least p; 1 = off. Default 0.95. */
  topP?: number | undefined;
  /** > 1 makes tokens already in the context less likely (CTRL / Hugging Face rule); 1 = off. Default 1.1. */
  repetitionPenalty?: number | undefined;
  /** Seed of the sampler's PRNG: the same seed gives the same tokens. Default: random. */
  seed?: number | undefined;
}

/** Options of token-level generation. */
export interface GenerateIdsOptions extends SamplingOptions {
  /** Upper bound on generated tokens. Default 256. */
  maxNewTokens?: number | undefined;
  /** Token ids that end generation (not emitted). Default: the model's `<|endoftext|>` id. */
  stopTokenIds?: readonly number[] | undefined;
  /** Cancels generation; the tokens produced so far are kept. */
  signal?: AbortSignal | undefined;
  /** Stop tokens are forbidden until this many new tokens (Hugging Face `min_new_tokens`). Default 0. */
  minNewTokens?: number | undefined;
  /** Forbid any token that would repeat an n-gram of the sequence, prompt included (HF `no_repeat_ngram_size`); 0 = off. */
  noRepeatNgram?: number | undefined;
}

/** Options of text generation. */
export interface GenerateOptions extends Omit<GenerateIdsOptions, 'stopTokenIds'> {
  /** Generation ends before the first occurrence of any of these strings (never emitted). */
  stop?: readonly string[] | undefined;
  /** Called with each emitted text piece, in order; a returned promise is awaited before the next token. */
  onToken?: ((piece: string) => unknown) | undefined;
  /** Stop at `<|endoftext|>` (default true). */
  stopAtEos?: boolean | undefined;
  /** Start from `<|artist:NAME|>` (a model tokenized with `--condition artist`); see `TextGenerator.artists`. */
  artist?: string | undefined;
  /**
   * The copied-lyrics guard: forbid any token that would make the output (prompt included)
   * hold this many consecutive words of the lyrics index (≥ 2); 0 or undefined = off.
   * Needs `lyricsIndex` here or on the generator.
   */
  maxCopyWords?: number | undefined;
  /** The training lyrics for the guard (default: the generator's own index, if any). */
  lyricsIndex?: WordRunIndex | undefined;
}

/** Sampling options with defaults filled in. */
export interface ResolvedSampling {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  seed: number;
}

/**
 * The defaults of generation, shared by the library and `spinettai generate`: tuned
 * for lyrics (a little below temperature 1, top-k and nucleus cut the long tail, a
 * mild repetition penalty against loops).
 */
export const DEFAULT_SAMPLING: Readonly<{
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  maxNewTokens: number;
}> = Object.freeze({
  temperature: 0.8, // 0 = greedy
  topK: 40, // 0 = off
  topP: 0.95, // 1 = off
  repetitionPenalty: 1.1, // 1 = off
  maxNewTokens: 256, // upper bound on generated tokens
});

type Keys<T> = Record<keyof Required<T>, true>;
const SAMPLING_KEYS: Keys<SamplingOptions> = {
  temperature: true,
  topK: true,
  topP: true,
  repetitionPenalty: true,
  seed: true,
};
const IDS_KEYS: Keys<GenerateIdsOptions> = {
  ...SAMPLING_KEYS,
  maxNewTokens: true,
  stopTokenIds: true,
  signal: true,
  minNewTokens: true,
  noRepeatNgram: true,
};
/** Every key of GenerateOptions. */
export const GENERATE_OPTION_KEYS: readonly string[] = Object.keys({
  ...SAMPLING_KEYS,
  maxNewTokens: true,
  signal: true,
  minNewTokens: true,
  noRepeatNgram: true,
  stop: true,
  onToken: true,
  stopAtEos: true,
  artist: true,
  maxCopyWords: true,
  lyricsIndex: true,
} satisfies Keys<GenerateOptions>);
/** Every key of GenerateIdsOptions. */
export const GENERATE_IDS_OPTION_KEYS: readonly string[] = Object.keys(IDS_KEYS);

const squash = (k: string) => k.toLowerCase().replace(/[_-]/g, '');

/**
 * The first key of `opts` that is not in `known`, with a hint (the near spelling, or
 * the known keys); undefined when every key is known. Callers throw their own error.
 */
export function unknownOption(
  opts: object,
  known: readonly string[],
): { option: string; hint: string } | undefined {
  for (const key of Object.keys(opts)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => squash(k) === squash(key));
    const hint = near === undefined ? `known options: ${known.join(', ')}` : `did you mean '${near}'?`;
    return { option: key, hint };
  }
  return undefined;
}

/** Throws InvalidOptionError when `opts` is not an object or has a key outside `known`. */
export function checkOptionKeys(opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw new GenerationError(`options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  const bad = unknownOption(opts, known);
  if (bad !== undefined) throw new InvalidOptionError(bad.option, `no such option; ${bad.hint}`);
}

function check(ok: boolean, option: string, message: string): void {
  if (!ok) throw new InvalidOptionError(option, message);
}

/** Validates the sampling options and fills in defaults; throws InvalidOptionError naming the option. */
export function resolveSampling(o: SamplingOptions): ResolvedSampling {
  const temperature = o.temperature ?? DEFAULT_SAMPLING.temperature;
  check(
    Number.isFinite(temperature) && temperature >= 0,
    'temperature',
    `got ${temperature}; use 0 for greedy or a positive number`,
  );
  const topK = o.topK ?? DEFAULT_SAMPLING.topK;
  check(Number.isInteger(topK) && topK >= 0, 'topK', `got ${topK}; use 0 (off) or a positive integer`);
  const topP = o.topP ?? DEFAULT_SAMPLING.topP;
  check(Number.isFinite(topP) && topP > 0 && topP <= 1, 'topP', `got ${topP}; it must be in (0, 1], 1 = off`);
  const repetitionPenalty = o.repetitionPenalty ?? DEFAULT_SAMPLING.repetitionPenalty;
  check(
    Number.isFinite(repetitionPenalty) && repetitionPenalty > 0,
    'repetitionPenalty',
    `got ${repetitionPenalty}; it must be > 0, 1 = off`,
  );
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32);
  check(Number.isSafeInteger(seed), 'seed', `got ${seed}; use an integer`);
  return { temperature, topK, topP, repetitionPenalty, seed };
}

/** Validates maxNewTokens and returns it with the default filled in. */
export function resolveMaxNewTokens(maxNewTokens: number | undefined): number {
  const n = maxNewTokens ?? DEFAULT_SAMPLING.maxNewTokens;
  check(Number.isInteger(n) && n >= 0, 'maxNewTokens', `got ${n}; use a non-negative integer`);
  return n;
}

/** Validates a count option (an integer ≥ 0, default 0): minNewTokens, noRepeatNgram, maxCopyWords. */
export function resolveCount(option: string, n: number | undefined): number {
  const v = n ?? 0;
  check(Number.isInteger(v) && v >= 0, option, `got ${v}; use a non-negative integer (0 = off)`);
  return v;
}

/** Validates stop strings. */
export function resolveStop(stop: readonly string[] | undefined): string[] {
  if (stop === undefined) return [];
  check(Array.isArray(stop), 'stop', 'must be an array of strings');
  for (const s of stop)
    check(
      typeof s === 'string' && s.length > 0,
      'stop',
      `got ${JSON.stringify(s)}; stop strings must be non-empty`,
    );
  return [...stop];
}

/** Validates stop token ids against the vocabulary size. */
export function resolveStopTokenIds(ids: readonly number[], vocabSize: number): number[] {
  for (const id of ids)
    check(
      Number.isInteger(id) && id >= 0 && id < vocabSize,
      'stopTokenIds',
      `id ${id} is not in [0, ${vocabSize})`,
    );
  return [...ids];
}
