// BPE encoding of one pre-token, as Hugging Face's Rust `tokenizers` does it
// (src/models/bpe/word.rs `merge_all`): the word starts as one symbol per byte;
// a min-heap holds every adjacent pair that has a merge, ordered by merge rank,
// then by position; the best pair is merged, its neighbours' new pairs are
// pushed, and stale heap entries are skipped when popped. O(n log n) in the word
// length, so a 5 MB word with no spaces encodes in seconds (the @huggingface/
// tokenizers JavaScript model is quadratic there), and the ids equal Rust's for
// words of any length.

/** The merge table of a BPE model, keyed by token ids. */
export interface MergeTable {
  /** Key base: a pair (left, right) is the number `left * base + right`. */
  readonly base: number;
  /** Pair key → merge rank (0 = first merge learned). */
  readonly rank: ReadonlyMap<number, number>;
  /** Rank → id of the merged token. */
  readonly merged: Int32Array;
}

/** Largest word (in bytes) whose positions fit the heap's packed keys. */
export const MAX_WORD_BYTES = 2 ** 26;
const POS = 2 ** 26;

/** Min-heap of numbers (rank * POS + position) in a growable Float64Array. */
class NumberHeap {
  private h: Float64Array;
  private n = 0;
  constructor(capacity: number) {
    this.h = new Float64Array(Math.max(16, capacity));
  }
  push(x: number): void {
    if (this.n === this.h.length) {
      const bigger = new Float64Array(this.h.length * 2);
      bigger.set(this.h);
      this.h = bigger;
    }
    const h = this.h;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as number;
      if (parent <= x) break;
      h[i] = parent;
      i = p;
    }
    h[i] = x;
  }
  pop(): number | undefined {
    if (this.n === 0) return undefined;
    const h = this.h;
    const top = h[0] as number;
    const n = --this.n;
    if (n === 0) return top;
    const last = h[n] as number;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (h[r] as number) < (h[l] as number) ? r : l;
      const child = h[c] as number;
      if (child >= last) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

/**
 * Applies the merges to a word given as initial symbol ids (one per byte) and
 * returns the final ids. `symbols` is modified.
 */
export function bpeMerge(symbols: Int32Array, table: MergeTable): number[] {
  const n = symbols.length;
  if (n > MAX_WORD_BYTES) throw new RangeError(`bpeMerge: word of ${n} bytes exceeds ${MAX_WORD_BYTES}.`);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const { base, rank, merged } = table;
  const heap = new NumberHeap(n);
  const pushPair = (pos: number): void => {
    const r = next[pos] as number;
    if (r < 0) return;
    const k = rank.get((symbols[pos] as number) * base + (symbols[r] as number));
    if (k !== undefined) heap.push(k * POS + pos);
  };
  for (let i = 0; i + 1 < n; i++) pushPair(i);
  for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
    const k = Math.floor(top / POS);
    const pos = top - k * POS;
    if (alive[pos] === 0) continue;
    const r = next[pos] as number;
    if (r < 0) continue;
    // As Rust: the entry is live when the pair now at `pos` merges into the same token.
    const now = rank.get((symbols[pos] as number) * base + (symbols[r] as number));
    if (now === undefined || merged[now] !== merged[k]) continue;
    symbols[pos] = merged[k] as number;
    alive[r] = 0;
    const after = next[r] as number;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    const before = prev[pos] as number;
    if (before >= 0) pushPair(before);
    pushPair(pos);
  }
  const ids: number[] = [];
  for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i] as number) ids.push(symbols[i] as number);
  return ids;
}
