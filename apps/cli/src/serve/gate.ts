// A concurrency gate with a bounded waiting line: at most `concurrency` holders at a
// time, at most `queue` callers waiting; anyone beyond that is turned away at once
// (the server answers 503 with Retry-After) instead of piling up.

/** Thrown by `Gate.enter` when the waiting line is full. */
export class GateFullError extends Error {
  override readonly name = 'GateFullError';
}

/** Admission control for generations. */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  /** Generations running now. */
  get running(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Waits for a slot and returns its release function (call it exactly once). Throws
   * GateFullError when the line is full; an abort while waiting leaves the line.
   */
  async enter(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.concurrency) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.queue) throw new GateFullError('the server is busy');
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
    return this.releaser(); // the slot was handed over by the releasing holder
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    };
  }
}
