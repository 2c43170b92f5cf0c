import { describe, expect, it } from 'vitest';
import {
  countWords,
  DEFAULT_MIN_WORDS,
  isInstrumentalOnly,
  isTooShort,
  pageSkipReason,
  titleSkipReason,
} from './filters.js';

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
  it('judges non-songs by words and lines, not characters', () => {
    // A real four-line song of 75 characters (17 words, counted by hand).
    const short = 'Sol de marzo\nsobre el agua\nla ciudad ya se duerme\ny el río vuelve a empezar';
    expect([...short].length).toBe(75);
    expect(countWords(short)).toBe(17);
    expect(isTooShort(short, DEFAULT_MIN_WORDS)).toBe(false);
    expect(countWords("ñandú, qu'est-ce l’amor 1980")).toBe(4);
    expect(isTooShort('', DEFAULT_MIN_WORDS)).toBe(true);
    expect(isTooShort('Ventanita, ventanita', DEFAULT_MIN_WORDS)).toBe(true);
    // A placeholder sentence: many words, one line.
    expect(isTooShort('Lyrics for this song have yet to be released. Please check back later.', 6)).toBe(
      true,
    );
    expect(isTooShort('uno dos tres\ncuatro cinco', 6)).toBe(true);
    expect(isTooShort('uno dos tres\ncuatro cinco seis', 6)).toBe(false);
    expect(isTooShort('x', 0)).toBe(false);
  });
});
