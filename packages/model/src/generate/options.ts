// Generation options, their defaults and their validation. Every public entry point
// (token-level and text-level) validates here first, so a bad value fails before any
// session is created, with the option's name in the message.

import { InvalidOptionError } from './errors.js';

/** Options of the sampler (what picks the next token from the logits). */
export interface SamplingOptions {
  /** 0 = greedy (argmax); otherwise logits are divided by it. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 = off. Default 0. */
  topK?: number;
  /** Keep the smallest set of tokens whose probability sums to at least p; 1 = off. Default 1. */
  topP?: number;
  /** > 1 makes tokens already in the context less likely (CTRL / Hugging Face rule); 1 = off. Default 1. */
  repetitionPenalty?: number;
  /** Seed of the sampler's PRNG: the same seed gives the same tokens. Default: random. */
  seed?: number;
}

/** Options of token-level generation. */
export interface GenerateIdsOptions extends SamplingOptions {
  /** Upper bound on generated tokens. Default 256. */
  maxNewTokens?: number;
  /** Token ids that end generation (not emitted). Default: the model's `<|endoftext|>` id. */
  stopTokenIds?: readonly number[];
  /** Cancels generation; the tokens produced so far are kept. */
  signal?: AbortSignal;
}

/** Options of text generation. */
export interface GenerateOptions extends Omit<GenerateIdsOptions, 'stopTokenIds'> {
  /** Generation ends before the first occurrence of any of these strings (never emitted). */
  stop?: readonly string[];
  /** Called with each emitted text piece, in order. */
  onToken?: (piece: string) => void;
  /** Stop at `<|endoftext|>` (default true). */
  stopAtEos?: boolean;
}

/** Sampling options with defaults filled in. */
export interface ResolvedSampling {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  seed: number;
}

/** Default number of new tokens. */
export const DEFAULT_MAX_NEW_TOKENS = 256;

function check(ok: boolean, option: string, message: string): void {
  if (!ok) throw new InvalidOptionError(option, message);
}

/** Validates the sampling options and fills in defaults; throws InvalidOptionError naming the option. */
export function resolveSampling(o: SamplingOptions): ResolvedSampling {
  const temperature = o.temperature ?? 1;
  check(
    Number.isFinite(temperature) && temperature >= 0,
    'temperature',
    `got ${temperature}; use 0 for greedy or a positive number`,
  );
  const topK = o.topK ?? 0;
  check(Number.isInteger(topK) && topK >= 0, 'topK', `got ${topK}; use 0 (off) or a positive integer`);
  const topP = o.topP ?? 1;
  check(Number.isFinite(topP) && topP > 0 && topP <= 1, 'topP', `got ${topP}; it must be in (0, 1], 1 = off`);
  const repetitionPenalty = o.repetitionPenalty ?? 1;
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
  const n = maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  check(Number.isInteger(n) && n >= 0, 'maxNewTokens', `got ${n}; use a non-negative integer`);
  return n;
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
