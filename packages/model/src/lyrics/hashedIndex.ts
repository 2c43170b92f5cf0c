// A lyrics index that holds no lyrics: 53-bit hashes of every window of `n` consecutive
// words of the training songs. It answers the copied-lyrics guard's question — does this
// text contain n (or more) consecutive lyric words? — and can be sent to a browser (the
// lyrics page) without redistributing the lyrics it was built from. Unlike LyricsIndex it
// knows only windows of exactly n words, so a guard on it must use maxWords ≥ n; longer
// runs are recognised as chains of overlapping windows that all occur in the songs (which,
// across songs, may rarely join two different places: a stricter guard, never a laxer one).

import { InvalidOptionError } from '../generate/errors.js';
import { words } from './words.js';

const MAGIC = 0x474c5053; // "SPLG" little-endian
const VERSION = 1;
const HEADER_BYTES = 16;

/** FNV-1a over UTF-16 code units with a given offset basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** 53 bits from two independent 32-bit hashes of the window's words. */
function windowHash(ws: readonly string[]): number {
  const key = ws.join(' ');
  return fnv1a(key, 0x811c9dc5) * 2 ** 21 + (fnv1a(key, 0x9747b28c) >>> 11);
}

/** Hashed word windows of the training lyrics (see the file header). */
export class HashedLyricsIndex {
  private constructor(
    /** Words per window. */
    readonly n: number,
    private readonly hashes: Set<number>,
  ) {}

  /** Hashes every n-word window inside each song (never across two songs). */
  static fromTexts(texts: Iterable<string>, n: number): HashedLyricsIndex {
    if (!Number.isInteger(n) || n < 2) throw new InvalidOptionError('n', `must be an integer ≥ 2, got ${n}`);
    const hashes = new Set<number>();
    for (const t of texts) {
      const w = words(t);
      for (let i = 0; i + n <= w.length; i++) hashes.add(windowHash(w.slice(i, i + n)));
    }
    return new HashedLyricsIndex(n, hashes);
  }

  /** The index as bytes: a 16-byte header ("SPLG", version, n, count) and sorted float64 hashes. */
  toBytes(): Uint8Array {
    const sorted = Float64Array.from(this.hashes).sort();
    const out = new Uint8Array(HEADER_BYTES + sorted.byteLength);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, this.n, true);
    view.setUint32(12, sorted.length, true);
    for (let i = 0; i < sorted.length; i++) view.setFloat64(HEADER_BYTES + 8 * i, sorted[i]!, true);
    return out;
  }

  /** Reads `toBytes()` output; throws InvalidOptionError on anything else. */
  static fromBytes(bytes: Uint8Array): HashedLyricsIndex {
    const bad = (why: string) => new InvalidOptionError('lyricsIndex', `not a hashed lyrics index: ${why}`);
    if (bytes.byteLength < HEADER_BYTES) throw bad('too short');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw bad('wrong magic');
    if (view.getUint32(4, true) !== VERSION) throw bad(`version ${view.getUint32(4, true)}`);
    const n = view.getUint32(8, true);
    const count = view.getUint32(12, true);
    if (n < 2 || bytes.byteLength !== HEADER_BYTES + 8 * count) throw bad('inconsistent header');
    const hashes = new Set<number>();
    for (let i = 0; i < count; i++) hashes.add(view.getFloat64(HEADER_BYTES + 8 * i, true));
    return new HashedLyricsIndex(n, hashes);
  }

  /** Number of distinct windows. */
  get size(): number {
    return this.hashes.size;
  }

  /**
   * For each word, the length of the run of lyric words ending there, as far as windows
   * tell: 0 when the n-word window ending there is unknown, else n plus the number of
   * known windows that directly precede it.
   */
  matchLengths(textWords: readonly string[]): Uint32Array {
    const out = new Uint32Array(textWords.length);
    for (let i = this.n - 1; i < textWords.length; i++)
      if (this.hashes.has(windowHash(textWords.slice(i - this.n + 1, i + 1))))
        out[i] = i > 0 && out[i - 1]! >= this.n ? out[i - 1]! + 1 : this.n;
    return out;
  }
}
