// Validation loss with the generation graph: the mean token cross-entropy of a token
// split cut into non-overlapping windows of blockSize inputs (the last window shorter),
// so every token after the first is predicted exactly once. It runs on the KV-cache
// graph (an export's onnx/model.onnx or a checkpoint's, built in memory) from an empty
// past, so an export without weights is evaluated the same way as a checkpoint.
// Cross-entropy per position: logsumexp(logits) − logits[target], summed in float64.

import type { KvDecoder } from './decoder.js';
import { GenerationError } from './errors.js';

/** Outcome of `windowLoss`. */
export interface WindowLoss {
  /** Mean cross-entropy per predicted token (nats). */
  loss: number;
  /** Tokens predicted (the split's length − 1). */
  targets: number;
  /** Windows run. */
  windows: number;
}

/** Start and input length of each window over `n` tokens (inputs [s, s+len), targets [s+1, s+len]). */
export function lossWindows(n: number, blockSize: number): { start: number; length: number }[] {
  const out: { start: number; length: number }[] = [];
  for (let s = 0; s < n - 1; s += blockSize) out.push({ start: s, length: Math.min(blockSize, n - 1 - s) });
  return out;
}

/** Mean token cross-entropy of `tokens` in non-overlapping windows (see file header). */
export async function windowLoss(
  decoder: KvDecoder,
  tokens: ArrayLike<number>,
  opts: { signal?: AbortSignal | undefined } = {},
): Promise<WindowLoss> {
  const { blockSize, vocabSize } = decoder.dims;
  const windows = lossWindows(tokens.length, blockSize);
  if (windows.length === 0)
    throw new GenerationError(`cannot measure a loss on ${tokens.length} token(s): at least 2 are needed`);
  let sum = 0;
  let targets = 0;
  for (const { start, length } of windows) {
    if (opts.signal?.aborted) throw new GenerationError('the evaluation was aborted');
    const ids = Array.from({ length }, (_, i) => tokens[start + i]!);
    const logits = await decoder.forwardAll(ids); // (T, V)
    for (let t = 0; t < length; t++) {
      const row = logits.subarray(t * vocabSize, (t + 1) * vocabSize);
      let max = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < vocabSize; v++) max = Math.max(max, row[v]!);
      let z = 0;
      for (let v = 0; v < vocabSize; v++) z += Math.exp(row[v]! - max);
      sum += Math.log(z) + max - row[tokens[start + t + 1]!]!;
    }
    targets += length;
  }
  return { loss: sum / targets, targets, windows: windows.length };
}
