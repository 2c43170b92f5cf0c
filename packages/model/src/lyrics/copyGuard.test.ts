// The guard and the metrics against a brute-force reference written separately: every
// run of consecutive words of a sample is looked up in a plain set of the corpus's word
// n-grams. Random texts over a tiny vocabulary make long shared runs common.

import { SeededRandom } from '@spinettai/graph';
import { describe, expect, it } from 'vitest';
import { CopyGuard, LyricsIndex } from './copyGuard.js';
import { copyStats } from './copyStats.js';
import { words } from './words.js';

/** Longest run of `sample` words that occurs inside one corpus text (brute force). */
function longestCopied(sample: string, corpus: readonly string[]): number {
  const sw = words(sample);
  const grams = new Set<string>();
  for (const t of corpus) {
    const w = words(t);
    for (let i = 0; i < w.length; i++)
      for (let j = i + 1; j <= w.length; j++) grams.add(w.slice(i, j).join(' '));
  }
  let best = 0;
  for (let i = 0; i < sw.length; i++)
    for (let j = i + 1; j <= sw.length; j++)
      if (grams.has(sw.slice(i, j).join(' '))) best = Math.max(best, j - i);
  return best;
}

function randomText(r: SeededRandom, vocab: readonly string[], n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(vocab[r.nextInt(vocab.length)]!);
    if (r.nextInt(5) === 0) out.push('\n');
  }
  return out.join(' ');
}

describe('words', () => {
  it('ignores case, punctuation and spacing, and keeps accents', () => {
    expect(words('¡Amor,  AMOR!\nsé-se')).toEqual(['amor', 'amor', 'sé', 'se']);
  });
});

describe('LyricsIndex', () => {
  it('finds the same longest copied run as a brute-force search, and never across two songs', () => {
    const r = new SeededRandom(7);
    const vocab = ['sol', 'luna', 'mar', 'río', 'flor'];
    const corpus = Array.from({ length: 6 }, () => randomText(r, vocab, 30));
    const index = LyricsIndex.fromTexts(corpus);
    for (let k = 0; k < 40; k++) {
      const sample = randomText(r, vocab, 25);
      const lengths = index.matchLengths(words(sample));
      expect(Math.max(0, ...lengths)).toBe(longestCopied(sample, corpus));
    }
    // The end of one song followed by the start of the next is not a run of the corpus.
    const two = LyricsIndex.fromTexts(['a b c', 'd e f']);
    expect(Math.max(...two.matchLengths(['b', 'c', 'd', 'e']))).toBe(2);
  });
});

describe('CopyGuard', () => {
  const corpus = ['Camino por la calle vacía\nbuscando tu voz en el viento'];
  const guard = new CopyGuard(LyricsIndex.fromTexts(corpus), 4);

  it('refuses 4 consecutive corpus words whatever the case and punctuation, allows 3', () => {
    expect(guard.allows('yo camino por la')).toBe(true);
    expect(guard.allows('CAMINO, por... la CALLE')).toBe(false);
    expect(guard.allows('vacía buscando tu')).toBe(true);
    expect(guard.allows('vacía\nbuscando tu voz')).toBe(false);
  });

  it('allowsAppend agrees with allows on the whole text, including a token that ends a word', () => {
    const r = new SeededRandom(3);
    const pieces = [
      'camino',
      ' por',
      ' la',
      ' ca',
      'lle',
      ' vac',
      'ía',
      '\n',
      'bus',
      'cando',
      ' tu',
      ' voz',
      ' mar',
    ];
    for (let k = 0; k < 300; k++) {
      let text = '';
      for (let i = 0; i < 8; i++) {
        const next = pieces[r.nextInt(pieces.length)]!;
        if (!guard.allows(text)) break;
        expect(guard.allowsAppend(text, next), JSON.stringify([text, next])).toBe(guard.allows(text + next));
        text += next;
      }
    }
  });

  it('rejects a window shorter than 2 words', () => {
    expect(() => new CopyGuard(LyricsIndex.fromTexts(corpus), 1)).toThrow(/maxCopyWords/);
  });
});

describe('copyStats', () => {
  it('reports the longest run, the copied 8-gram share and whole copied lines', () => {
    const lyric = 'uno dos tres cuatro cinco seis siete ocho nueve diez\nla noche cae sobre el puerto';
    const index = LyricsIndex.fromTexts([lyric]);
    const samples = [
      'uno dos tres cuatro cinco seis siete ocho nueve otro',
      'La noche cae sobre el puerto!\nnada más',
    ];
    const s = copyStats(samples, index, { lyrics: [lyric] });
    expect(s.longest_copied_words).toBe(9);
    // Sample 1 has three 8-grams (two copied); sample 2 has one (8 words across its lines), not copied.
    expect(s.copied_ngram_fraction).toBeCloseTo(2 / 4, 12);
    expect(s.copied_lines).toBe(1);
  });
});
