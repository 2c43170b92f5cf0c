import { describe, expect, it } from 'vitest';
import { findArtistInHits, otherArtistNames, sameArtistName } from './artistMatch.js';
import type { GeniusSongSummary } from './geniusApi.js';

const hit = (id: number, name: string, extra: { id: number; name: string }[] = []): GeniusSongSummary => ({
  id: id * 10,
  title: 't',
  url: null,
  lyricsState: 'complete',
  primaryArtist: { id, name },
  primaryArtists: [{ id, name }, ...extra],
});

describe('artist matching', () => {
  it('compares names without case, accents or extra spaces', () => {
    expect(sameArtistName('Luis Alberto Spinetta', 'luis  alberto spinétta')).toBe(true);
    expect(sameArtistName('Invisible', 'Invisible Kids')).toBe(false);
  });
  it('skips decoy hits and takes the exact primary artist', () => {
    const hits = [hit(903, 'Almendras del Sur'), hit(101, 'ALMENDRA')];
    expect(findArtistInHits('Almendra', hits)).toEqual({ id: 101, name: 'ALMENDRA' });
  });
  it('finds an artist listed as a second primary artist', () => {
    expect(
      findArtistInHits('Pescado Rabioso', [hit(5, 'Otro', [{ id: 102, name: 'Pescado Rabioso' }])])?.id,
    ).toBe(102);
  });
  it('returns null for a wrong artist and names what was found', () => {
    const hits = [hit(900, 'Invisible Kids'), hit(900, 'Invisible Kids'), hit(7, 'Otra Cosa')];
    expect(findArtistInHits('Invisible', hits)).toBeNull();
    expect(otherArtistNames(hits)).toEqual(['Invisible Kids', 'Otra Cosa']);
  });
});
