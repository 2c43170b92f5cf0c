import { describe, expect, it } from 'vitest';
import type { CorpusRecord } from './corpusFile.js';
import { seedJson } from './scrape.js';

const r = (id: number, title: string, lyrics: string): CorpusRecord => ({
  id,
  title,
  artist: 'A',
  album: null,
  releaseDate: null,
  url: null,
  lyrics,
});

describe('seedJson', () => {
  it('maps titles to lyrics in file order and numbers repeated titles', () => {
    const out = seedJson([
      r(1, 'Mar', 'uno'),
      r(2, 'Río', 'dos'),
      r(3, 'Mar', 'tres'),
      r(4, 'Mar', 'cuatro'),
    ]);
    expect(out).toEqual({ Mar: 'uno', Río: 'dos', 'Mar (2)': 'tres', 'Mar (3)': 'cuatro' });
    expect(Object.keys(out)).toEqual(['Mar', 'Río', 'Mar (2)', 'Mar (3)']);
  });
});
