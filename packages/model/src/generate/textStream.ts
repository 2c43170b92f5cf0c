// Turns a stream of generated token ids into text pieces: the tokenizer's streaming
// decoder never emits half a UTF-8 character, and the stop-string matcher holds back
// text that could still become a stop string. Emits nothing at or after a stop string.

import { StopMatcher } from './stopStrings.js';
import type { FinishReason } from './tokenLoop.js';

/** What the text layer needs from a tokenizer (`Tokenizer` from @spinettai/tokenizer fits). */
export interface GenerationTokenizer {
  /** Number of ids. */
  readonly vocabSize: number;
  /** Id of `<|endoftext|>` (BOS and EOS). */
  readonly eotTokenId: number;
  encode(text: string): number[];
  /** A decoder whose chunks never end inside a UTF-8 character. */
  decodeStream(options?: { skipSpecialTokens?: boolean }): { push(id: number): string; flush(): string };
  /** Text of ids (the copied-lyrics guard needs it). */
  decode?(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** Special tokens and their ids (artist conditioning reads `<|artist:NAME|>` here). */
  readonly specialTokens?: ReadonlyMap<string, number>;
}

/** Outcome of a text generation. */
export interface GenerateResult {
  /** The generated continuation (the prompt is not included), cut before any stop string. */
  text: string;
  /** Every generated id (those that spelled a stop string included; the EOS id not). */
  tokenIds: number[];
  /** Prompt length in tokens after adding BOS, before cropping to blockSize. */
  promptTokens: number;
  finishReason: FinishReason;
}

/**
 * Decodes `ids` as they arrive and yields safe text pieces (non-empty). The return
 * value is the full result. Returning early (a stop string) closes `ids`.
 */
export async function* textPieces(
  ids: AsyncGenerator<number, FinishReason, undefined>,
  tokenizer: GenerationTokenizer,
  stop: readonly string[],
  promptTokens: number,
): AsyncGenerator<string, GenerateResult, undefined> {
  const decoder = tokenizer.decodeStream({ skipSpecialTokens: true });
  const matcher = new StopMatcher(stop);
  const tokenIds: number[] = [];
  let text = '';
  let finishReason: FinishReason;
  try {
    for (;;) {
      const r = await ids.next();
      if (r.done) {
        finishReason = r.value;
        break;
      }
      tokenIds.push(r.value);
      const { emit, stopped } = matcher.push(decoder.push(r.value));
      if (emit !== '') {
        text += emit;
        yield emit;
      }
      if (stopped) {
        finishReason = 'stop';
        break;
      }
    }
  } finally {
    await ids.return('aborted');
  }
  if (finishReason !== 'stop') {
    const rest = matcher.push(decoder.flush());
    const tail = rest.stopped ? rest.emit : rest.emit + matcher.flush();
    if (rest.stopped) finishReason = 'stop';
    if (tail !== '') {
      text += tail;
      yield tail;
    }
  }
  return { text, tokenIds, promptTokens, finishReason };
}
