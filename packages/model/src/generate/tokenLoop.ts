// The token-level generation loop: crop the prompt to the context, prefill, then
// sample one token per step, feeding it back through the KV cache. When the cache
// is full (blockSize tokens) the context slides: the last ⌈blockSize / 2⌉ tokens are
// prefilled again from position 0, so positions never exceed what the model learned.
// Without a cache (kvCache: false) every step runs the whole window, nanoGPT-style.
// Constraints on each pick (Hugging Face semantics): no repeated n-gram of the whole
// sequence (prompt included), no stop token before `minNewTokens`, and a check of each
// candidate (the copied-lyrics guard); when no token passes, generation ends ('copy').

import { SeededRandom } from '@spinettai/graph';
import type { KvDecoder } from './decoder.js';
import type { ResolvedSampling } from './options.js';
import { noRepeatNgramBans, pickNext } from './sampling.js';

/** Why generation ended. */
export type FinishReason = 'eos' | 'stop' | 'length' | 'aborted' | 'copy';

/** Resolved options of the token loop. */
export interface TokenLoopOptions {
  sampling: ResolvedSampling;
  maxNewTokens: number;
  stopTokenIds: readonly number[];
  signal?: AbortSignal | undefined;
  /** Reuse past keys/values (default true). */
  kvCache?: boolean;
  /** Stop tokens are banned until this many tokens were generated (default 0). */
  minNewTokens?: number | undefined;
  /** Ban tokens that would repeat an n-gram of the sequence, prompt included (default 0 = off). */
  noRepeatNgram?: number | undefined;
  /** Refuses candidate `id` after `history` (the whole prompt and every generated id). */
  allows?: ((history: readonly number[], id: number) => boolean) | undefined;
}

/** Tokens kept when the context slides (see file header). */
export function slideKeep(blockSize: number): number {
  return Math.ceil(blockSize / 2);
}

/** The last `blockSize` prompt tokens: what the model sees of an over-long prompt. */
export function cropPrompt(ids: readonly number[], blockSize: number): number[] {
  return ids.slice(Math.max(0, ids.length - blockSize));
}

/**
 * Yields generated token ids one by one. The generator's return value says why it
 * ended. A stop token is not yielded. The caller owns the decoder.
 */
export async function* decodeTokens(
  decoder: KvDecoder,
  promptIds: readonly number[],
  opts: TokenLoopOptions,
): AsyncGenerator<number, FinishReason, undefined> {
  const { blockSize, vocabSize } = decoder.dims;
  const kvCache = opts.kvCache ?? true;
  const rng = new SeededRandom(opts.sampling.seed);
  const stops = new Set(opts.stopTokenIds);
  const tokens = cropPrompt(promptIds, blockSize); // context window (grows, then slides)
  const seen = new Set(tokens); // what the repetition penalty looks at
  const history = [...promptIds]; // what the n-gram ban and the guard look at
  const minNew = opts.minNewTokens ?? 0;
  const allows = opts.allows;
  if (opts.maxNewTokens === 0) return 'length';
  if (opts.signal?.aborted) return 'aborted';

  const lastRow = (all: Float32Array) => all.subarray(all.length - vocabSize);
  let logits = kvCache ? await decoder.prefill(tokens) : lastRow(await decoder.forwardAll(tokens));
  for (let produced = 0; ; ) {
    if (opts.signal?.aborted) return 'aborted';
    const banned = noRepeatNgramBans(history, opts.noRepeatNgram ?? 0);
    if (produced < minNew) banned.push(...stops);
    const id = pickNext(logits, opts.sampling, rng, seen, {
      banned,
      allows: allows && ((c: number) => allows(history, c)),
    });
    if (id === undefined) return 'copy';
    if (stops.has(id)) return 'eos';
    yield id;
    produced++;
    if (produced >= opts.maxNewTokens) return 'length';
    if (opts.signal?.aborted) return 'aborted';
    tokens.push(id);
    history.push(id);
    seen.add(id);
    if (!kvCache) {
      if (tokens.length > blockSize) tokens.splice(0, tokens.length - blockSize);
      logits = lastRow(await decoder.forwardAll(tokens));
    } else if (decoder.length < blockSize) {
      logits = await decoder.step(id);
    } else {
      tokens.splice(0, tokens.length - slideKeep(blockSize));
      logits = await decoder.prefill(tokens);
    }
  }
}

/** Runs the loop to the end and collects the ids. */
export async function collectTokens(
  decoder: KvDecoder,
  promptIds: readonly number[],
  opts: TokenLoopOptions,
): Promise<{ ids: number[]; finishReason: FinishReason }> {
  const ids: number[] = [];
  const it = decodeTokens(decoder, promptIds, opts);
  for (;;) {
    const r = await it.next();
    if (r.done) return { ids, finishReason: r.value };
    ids.push(r.value);
  }
}
