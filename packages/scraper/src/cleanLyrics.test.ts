import { describe, expect, it } from 'vitest';
import { cleanLyrics } from './cleanLyrics.js';
import { ScraperOptionsError } from './errors.js';

const RAW =
  '2 Contributors\nTranslations\nEnglish\nRío Lento Lyrics\n[Verso 1]\nel rí\u200Bo\u00A0lento\n\n\n\n' +
  '[Coro]\nagua\u0301 clara\n4Embed';

describe('cleanLyrics', () => {
  it('removes junk and headers by default', () => {
    expect(cleanLyrics(RAW)).toBe('el río lento\n\naguá clara');
  });
  it('can keep headers or turn them into markers', () => {
    expect(cleanLyrics(RAW, { sectionHeaders: 'keep' })).toBe(
      '[Verso 1]\nel río lento\n\n[Coro]\naguá clara',
    );
    expect(cleanLyrics(RAW, { sectionHeaders: 'markers' })).toBe(
      '[verso]\nel río lento\n\n[coro]\naguá clara',
    );
  });
  it('rejects unknown option keys', () => {
    expect(() => cleanLyrics(RAW, { sectionHeader: 'keep' } as never)).toThrow(ScraperOptionsError);
  });
});
