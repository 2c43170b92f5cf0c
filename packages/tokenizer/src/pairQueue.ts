// Max-priority queue of candidate merges for the BPE trainer. The best candidate
// has the highest count; among equal counts, the smallest pair key (left id,
// then right id) wins. That is exactly the order of Hugging Face's BpeTrainer
// (`impl Ord for Merge`: count, then pair ascending), which makes ties
// deterministic and our merges identical to theirs.
// Entries may be stale (the trainer re-checks the count when it pops one).

/** One candidate merge: a pair of token ids and the words where it occurs. */
export interface MergeCandidate {
  /** Pair count (sum of word frequencies) when the entry was pushed. */
  count: number;
  /** leftId * keyBase + rightId. */
  readonly key: number;
  /** Indices of the words that contained the pair when it was pushed (no repeats). */
  readonly words: readonly number[];
}

const before = (x: MergeCandidate, y: MergeCandidate): boolean =>
  x.count > y.count || (x.count === y.count && x.key < y.key);

/** Binary heap ordered by {@link before}. */
export class PairQueue {
  private readonly heap: MergeCandidate[] = [];

  push(entry: MergeCandidate): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as MergeCandidate;
      if (!before(entry, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = entry;
  }

  /** Removes and returns the best entry, or undefined when empty. */
  pop(): MergeCandidate | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(h[r] as MergeCandidate, h[l] as MergeCandidate)) c = r;
      const child = h[c] as MergeCandidate;
      if (!before(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
