// The hashed index against the exact one (LyricsIndex): on random texts over a tiny
// vocabulary, where long shared runs are common, a guard on either refuses the same texts.
import { SeededRandom } from '@spinettai/graph';
import { describe, expect, it } from 'vitest';
import { CopyGuard, LyricsIndex } from './copyGuard.js';
import { HashedLyricsIndex } from './hashedIndex.js';

function randomText(r: SeededRandom, vocab: readonly string[], n: number): string {
  return Array.from({ length: n }, () => vocab[r.nextInt(vocab.length)]!).join(' ');
}

describe('HashedLyricsIndex', () => {
  const r = new SeededRandom(11);
  const vocab = ['sol', 'luna', 'mar', 'río', 'flor', 'voz'];
  const corpus = Array.from({ length: 8 }, () => randomText(r, vocab, 40));

  it('makes a guard refuse exactly what the exact index refuses at maxWords = n, and never less above', () => {
    const hashed = HashedLyricsIndex.fromTexts(corpus, 4);
    const exact = LyricsIndex.fromTexts(corpus);
    for (const maxWords of [4, 5, 6]) {
      const a = new CopyGuard(hashed, maxWords);
      const b = new CopyGuard(exact, maxWords);
      let refused = 0;
      for (let k = 0; k < 300; k++) {
        const t = randomText(r, vocab, 12);
        if (maxWords === 4) expect(a.allows(t), t).toBe(b.allows(t));
        else if (!b.allows(t)) expect(a.allows(t), `${maxWords}: ${t}`).toBe(false); // stricter, never laxer
        if (!b.allows(t)) refused++;
      }
      expect(refused).toBeGreaterThan(5); // the comparison is not vacuous
    }
  });

  it('round-trips through bytes that hold no words, and refuses other bytes', () => {
    const lyric = 'la noche cae sobre el puerto dormido';
    const index = HashedLyricsIndex.fromTexts([lyric], 3);
    const bytes = index.toBytes();
    expect(new TextDecoder().decode(bytes)).not.toMatch(/noche|puerto/);
    const back = HashedLyricsIndex.fromBytes(bytes);
    expect(back.n).toBe(3);
    expect(back.size).toBe(index.size);
    expect(new CopyGuard(back, 3).allows('y la noche cae')).toBe(false);
    expect(new CopyGuard(back, 3).allows('y la noche sube')).toBe(true);
    expect(() => HashedLyricsIndex.fromBytes(bytes.slice(0, 20))).toThrow(/hashed lyrics index/);
  });

  it('refuses a guard shorter than its windows', () => {
    expect(() => new CopyGuard(HashedLyricsIndex.fromTexts(['a b c d'], 8), 6)).toThrow(/windows of 8 words/);
  });
});
