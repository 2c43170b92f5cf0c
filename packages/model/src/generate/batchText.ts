// Text for a batch of samples: while the batch decodes, each row runs its own streaming
// decoder and stop-string matcher, so a row ends at the token that spells a stop string
// exactly as a single run does. A finished row's ids then go through `textPieces`, the
// one owner of how ids become a GenerateResult, so sample i equals the single run with
// seed + i field for field.

import { type BatchLoopOptions, type BatchRow, decodeBatch } from './batchLoop.js';
import type { KvDecoder } from './decoder.js';
import { InvalidOptionError } from './errors.js';
import { GENERATE_OPTION_KEYS, type GenerateOptions } from './options.js';
import { StopMatcher } from './stopStrings.js';
import { type GenerateResult, type GenerationTokenizer, textPieces } from './textStream.js';
import type { FinishReason } from './tokenLoop.js';

/** Replays finished ids as the token stream `textPieces` reads. */
async function* replay(row: BatchRow): AsyncGenerator<number, FinishReason, undefined> {
  for (const id of row.ids) yield id;
  return row.finishReason;
}

/** The GenerateResult of one finished row. */
async function rowResult(
  row: BatchRow,
  tokenizer: GenerationTokenizer,
  stop: readonly string[],
  promptTokens: number,
): Promise<GenerateResult> {
  const it = textPieces(replay(row), tokenizer, stop, promptTokens);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}

/**
 * Generates `n` samples of the prompt ids `promptIds` as one batch (sample i with seed
 * `loop.sampling.seed + i`); `onSample` sees each result as soon as its row finishes.
 */
export async function generateTextBatch(
  decoder: KvDecoder,
  tokenizer: GenerationTokenizer,
  promptIds: readonly number[],
  n: number,
  loop: Omit<BatchLoopOptions, 'onToken' | 'onFinish'>,
  stop: readonly string[],
  onSample?: (index: number, result: GenerateResult) => unknown,
): Promise<GenerateResult[]> {
  const streams = Array.from({ length: n }, () => ({
    decoder: tokenizer.decodeStream({ skipSpecialTokens: true }),
    matcher: new StopMatcher(stop),
  }));
  const results: GenerateResult[] = new Array(n);
  await decodeBatch(decoder, promptIds, n, {
    ...loop,
    onToken:
      stop.length === 0
        ? undefined
        : (i, id) => {
            const s = streams[i]!;
            return s.matcher.push(s.decoder.push(id)).stopped;
          },
    onFinish: async (i, row) => {
      results[i] = await rowResult(row, tokenizer, stop, promptIds.length);
      await onSample?.(i, results[i]);
    },
  });
  return results;
}

/** Options of `TextGenerator.generateBatch`: those of `generate`, with `onSample` for `onToken`. */
export interface GenerateBatchOptions extends Omit<GenerateOptions, 'onToken'> {
  /** Called with each sample's result as soon as its row finishes (in the order rows finish). */
  onSample?: ((index: number, result: GenerateResult) => unknown) | undefined;
}

/** Every key of GenerateBatchOptions. */
export const GENERATE_BATCH_OPTION_KEYS: readonly string[] = [
  ...GENERATE_OPTION_KEYS.filter((k) => k !== 'onToken'),
  'onSample',
];

/** Validates a batch's sample count. */
export function resolveNumSamples(n: number): number {
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidOptionError('numSamples', `got ${n}; use a positive integer`);
  return n;
}
