import { describe, expect, it } from 'vitest';
import { isInstrumentalOnly, isTooShort, pageSkipReason, titleSkipReason } from './filters.js';

describe('titleSkipReason', () => {
  it.each([
    ['Canción del Alba (En Vivo)', 'title-live'],
    ['Canción del Alba - Live at Obras', 'title-live'],
    ['Niebla (Instrumental)', 'title-instrumental'],
    ['Niebla (Remix 2001)', 'title-remix'],
    ['Niebla [Karaoke Version]', 'title-karaoke'],
    ['Niebla (Cover)', 'title-cover'],
    ['Niebla - Bandas Eternas', 'title-bandas-eternas'],
    ['Niebla (EN VÍVO)', 'title-live'],
  ])('%s → %s', (title, reason) => {
    expect(titleSkipReason(title)).toBe(reason);
  });
  it('keeps ordinary titles, including words that merely contain a rule word', () => {
    expect(titleSkipReason('Vivos y Coverdale')).toBeNull();
    expect(titleSkipReason('Olivo del Camino')).toBeNull();
    expect(titleSkipReason('Muchacha del Río')).toBeNull();
  });
});

describe('pageSkipReason', () => {
  it('spots translation pages by artist, title or URL', () => {
    expect(pageSkipReason({ title: 'Almendra - Niebla (English Translation)' })).toBe('translation');
    expect(pageSkipReason({ title: 'Niebla', artistName: 'Genius Traducciones al Español' })).toBe(
      'translation',
    );
    expect(
      pageSkipReason({ title: 'Niebla', url: 'https://genius.com/Genius-english-translations-niebla' }),
    ).toBe('translation');
    expect(pageSkipReason({ title: 'Niebla (Traducción al Inglés)' })).toBe('translation');
  });
  it('spots tracklists and other non-lyrics pages', () => {
    expect(pageSkipReason({ title: 'Almendra (Tracklist)' })).toBe('tracklist');
    expect(pageSkipReason({ title: 'Almendra Liner Notes' })).toBe('non-lyrics-page');
    expect(pageSkipReason({ title: 'Discografía completa' })).toBe('non-lyrics-page');
  });
  it('keeps song pages', () => {
    expect(
      pageSkipReason({ title: 'Niebla de Marzo', artistName: 'Almendra', url: 'https://g/niebla' }),
    ).toBeNull();
  });
});

describe('content filters', () => {
  it('detects [Instrumental]-only pages', () => {
    expect(isInstrumentalOnly('[Instrumental]')).toBe(true);
    expect(isInstrumentalOnly('\n[Intro]\n\n[Instrumental]\n')).toBe(true);
    expect(isInstrumentalOnly('[Instrumental]\nuna línea')).toBe(false);
    expect(isInstrumentalOnly('[Coro]')).toBe(false);
    expect(isInstrumentalOnly('')).toBe(false);
  });
  it('measures length in characters', () => {
    expect(isTooShort('ñandú', 5)).toBe(false);
    expect(isTooShort('ñandú', 6)).toBe(true);
  });
});
