// The token loop for N samples of one prompt decoded as one batch: the prompt is
// prefilled once per row (B = N rows of equal length), then every step feeds one token
// per row through the KV cache's batch dimension. Row i samples with seed + i and its
// own history, so it yields exactly what `decodeTokens` yields alone with seed + i (the
// same crop, slide, constraints and finish reasons; see tokenLoop.ts). A finished row
// (EOS, stop, copy, length) leaves the batch: its cached keys/values are dropped
// (KvDecoder.keepRows), so the remaining rows run at a smaller batch. All rows share one
// cache length, so they slide together.

import { SeededRandom } from '@spinettai/graph';
import type { KvDecoder } from './decoder.js';
import { GenerationError } from './errors.js';
import { noRepeatNgramBans, pickNext } from './sampling.js';
import { cropPrompt, type FinishReason, slideKeep, type TokenLoopOptions } from './tokenLoop.js';

/** Outcome of one row of a batch. */
export interface BatchRow {
  /** Generated ids (the prompt and the stop id not included). */
  ids: number[];
  finishReason: FinishReason;
}

/** Options of `decodeBatch`: the token loop's, always with a KV cache. */
export interface BatchLoopOptions extends Omit<TokenLoopOptions, 'kvCache'> {
  /**
   * Sees each id of row `row` as it is produced; returning true ends the row with
   * 'stop' (a stop string). A returned promise is awaited.
   */
  onToken?: ((row: number, id: number) => boolean | undefined | Promise<boolean | undefined>) | undefined;
  /** Called once per row when it finishes, in the order rows finish. */
  onFinish?: ((row: number, result: BatchRow) => unknown) | undefined;
}

interface RowState {
  rng: SeededRandom;
  tokens: number[]; // context window (grows, then slides)
  seen: Set<number>; // what the repetition penalty looks at
  history: number[]; // what the n-gram ban and the guard look at
  ids: number[];
  finish: FinishReason | undefined;
}

/**
 * Generates `n` samples of `promptIds` as one batch; row i uses seed `sampling.seed + i`.
 * Returns the rows in order. The caller owns the decoder.
 */
export async function decodeBatch(
  decoder: KvDecoder,
  promptIds: readonly number[],
  n: number,
  opts: BatchLoopOptions,
): Promise<BatchRow[]> {
  if (!Number.isInteger(n) || n < 1) throw new GenerationError(`a batch needs at least 1 row, got ${n}`);
  const { blockSize, vocabSize } = decoder.dims;
  const stops = new Set(opts.stopTokenIds);
  const minNew = opts.minNewTokens ?? 0;
  const allows = opts.allows;
  const window = cropPrompt(promptIds, blockSize);
  const rows: RowState[] = Array.from({ length: n }, (_, i) => ({
    rng: new SeededRandom(opts.sampling.seed + i),
    tokens: [...window],
    seen: new Set(window),
    history: [...promptIds],
    ids: [],
    finish: undefined,
  }));
  const finish = async (i: number, reason: FinishReason) => {
    const row = rows[i]!;
    row.finish = reason;
    await opts.onFinish?.(i, { ids: row.ids, finishReason: reason });
  };
  const finishAll = async (reason: FinishReason) => {
    for (let i = 0; i < n; i++) if (rows[i]!.finish === undefined) await finish(i, reason);
  };
  const result = () => rows.map((r) => ({ ids: r.ids, finishReason: r.finish ?? 'aborted' }));
  if (opts.maxNewTokens === 0) {
    await finishAll('length');
    return result();
  }
  if (opts.signal?.aborted) {
    await finishAll('aborted');
    return result();
  }

  let active = rows.map((_, i) => i); // row index of each cached batch row
  let logits = await decoder.prefillBatch(rows.map((r) => r.tokens)); // (B, V)
  for (;;) {
    if (opts.signal?.aborted) {
      await finishAll('aborted');
      break;
    }
    const next: number[] = [];
    for (let j = 0; j < active.length; j++) {
      const id = await pick(active[j]!, j);
      if (id !== undefined) next.push(id);
    }
    const still = active.flatMap((i, j) => (rows[i]!.finish === undefined ? [j] : []));
    if (still.length === 0) break;
    if (still.length < active.length) {
      decoder.keepRows(still);
      active = still.map((j) => active[j]!);
    }
    for (let j = 0; j < active.length; j++) rows[active[j]!]!.tokens.push(next[j]!);
    if (decoder.length < blockSize) {
      logits = await decoder.stepBatch(next);
    } else {
      const slid = active.map((i) => rows[i]!.tokens);
      for (const tokens of slid) tokens.splice(0, tokens.length - slideKeep(blockSize));
      logits = await decoder.prefillBatch(slid);
    }
  }
  return result();

  /** Row i's next id from batch row j's logits, or undefined when the row finished here. */
  async function pick(i: number, j: number): Promise<number | undefined> {
    const row = rows[i]!;
    const banned = noRepeatNgramBans(row.history, opts.noRepeatNgram ?? 0);
    if (row.ids.length < minNew) banned.push(...stops);
    const history = row.history;
    const id = pickNext(
      logits.subarray(j * vocabSize, (j + 1) * vocabSize),
      opts.sampling,
      row.rng,
      row.seen,
      {
        banned,
        allows: allows && ((c: number) => allows(history, c)),
      },
    );
    if (id === undefined) return void (await finish(i, 'copy'));
    if (stops.has(id)) return void (await finish(i, 'eos'));
    row.ids.push(id);
    if ((await opts.onToken?.(i, id)) === true) return void (await finish(i, 'stop'));
    if (row.ids.length >= opts.maxNewTokens) return void (await finish(i, 'length'));
    row.history.push(id);
    row.seen.add(id);
    return id;
  }
}
