// Duplicate detection. Genius often lists one song several times: remasters, album
// versions, "(Versión 2)", or the same lyrics under a slightly different title. A song is
// a duplicate when its normalised title was already kept, or when its lyrics are
// near-identical to kept lyrics: Jaccard similarity of word 3-shingle sets
// (Broder, "On the resemblance and containment of documents", 1997).
import { foldForMatch } from './normalizeText.js';

/** Lowercase, no accents, no bracketed/parenthesised suffixes, punctuation as spaces. */
export function normalizeTitle(title: string): string {
  return foldForMatch(
    title
      .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
      .replace(/\s+-\s+.*$/, ' ')
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/[^\p{L}\p{N}]+/gu, ' '),
  );
}

/** Set of k-word shingles of the folded text (the whole text when it has fewer than k words). */
export function shingles(text: string, k = 3): Set<string> {
  const words = foldForMatch(text)
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const out = new Set<string>();
  if (words.length < k) {
    if (words.length > 0) out.add(words.join(' '));
    return out;
  }
  for (let i = 0; i + k <= words.length; i++) out.add(words.slice(i, i + k).join(' '));
  return out;
}

/** |A ∩ B| / |A ∪ B|; 1 for two empty sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const s of small) if (large.has(s)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Remembers kept songs and tells whether a new one duplicates one of them. */
export class Deduper {
  private readonly titles = new Set<string>();
  private readonly kept: Set<string>[] = [];

  /** @param threshold Jaccard similarity at or above which lyrics count as the same (default 0.8). */
  constructor(private readonly threshold = 0.8) {}

  /** True when a song with this normalised title was already kept. */
  hasTitle(title: string): boolean {
    return this.titles.has(normalizeTitle(title));
  }

  /** 'duplicate-title', 'duplicate-lyrics', or null for a new song. */
  check(title: string, lyrics: string): 'duplicate-title' | 'duplicate-lyrics' | null {
    if (this.hasTitle(title)) return 'duplicate-title';
    const sh = shingles(lyrics);
    for (const other of this.kept) if (jaccard(sh, other) >= this.threshold) return 'duplicate-lyrics';
    return null;
  }

  /** Record a kept song. */
  add(title: string, lyrics: string): void {
    this.titles.add(normalizeTitle(title));
    this.kept.push(shingles(lyrics));
  }
}
