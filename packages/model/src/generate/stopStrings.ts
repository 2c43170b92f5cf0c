// Holds back streamed text that could be the start of a stop string, so a stop string
// split across several tokens is still caught and nothing at or after it is emitted.
// Text that can no longer be part of a match is released at once.

/** Result of pushing one text piece. */
export interface StopPush {
  /** Text that is safe to emit now. */
  emit: string;
  /** True when a stop string was found; `emit` ends just before it. */
  stopped: boolean;
}

/** Incremental stop-string matcher over a stream of text pieces. */
export class StopMatcher {
  private pending = '';
  private done = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Adds the next piece of text; returns what may be emitted. */
  push(piece: string): StopPush {
    if (this.done) return { emit: '', stopped: true };
    const text = this.pending + piece;
    let first = -1;
    for (const s of this.stops) {
      const at = text.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) {
      this.done = true;
      this.pending = '';
      return { emit: text.slice(0, first), stopped: true };
    }
    const hold = this.heldSuffix(text);
    this.pending = text.slice(text.length - hold);
    return { emit: text.slice(0, text.length - hold), stopped: false };
  }

  /** Releases held-back text at the end of generation (it matched no stop string). */
  flush(): string {
    const rest = this.done ? '' : this.pending;
    this.pending = '';
    return rest;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
  private heldSuffix(text: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, text.length); n > best; n--) {
        if (text.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
