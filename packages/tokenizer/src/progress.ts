// Progress of long tokenizer work (training on a large corpus, encoding it), for
// a progress bar. Browser-safe.

/** One progress report. `done` grows from 0 to `total` within a phase. */
export interface TokenizeProgress {
  /** 'count': pre-tokenizing texts; 'merge': learning merges; 'encode': encoding songs. */
  readonly phase: 'count' | 'merge' | 'encode';
  /** Work done so far in this phase (texts, merges, or characters). */
  readonly done: number;
  /** Total work of this phase (NaN when unknown, e.g. a streamed corpus). */
  readonly total: number;
}

/** Receives progress reports; called synchronously, at most a few hundred times per phase. */
export type ProgressCallback = (progress: TokenizeProgress) => void;

/** Calls `report` when `done` has moved by at least 1/200 of `total` (or at the end). */
export function throttledProgress(
  phase: TokenizeProgress['phase'],
  total: number,
  report: ProgressCallback | undefined,
): (done: number) => void {
  if (report === undefined) return () => {};
  const step = Number.isFinite(total) ? Math.max(1, Math.floor(total / 200)) : 1000;
  let last = -Infinity;
  return (done) => {
    if (done - last >= step || done === total) {
      last = done;
      report({ phase, done, total });
    }
  };
}
