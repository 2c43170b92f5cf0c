import { describe, expect, it } from 'vitest';
import { cleanLyrics } from './cleanLyrics.js';
import { extractLyrics } from './extractLyrics.js';
import { FAKE_SONGS } from './test-utils/fakeCatalog.js';
import { renderSongPage } from './test-utils/fakePage.js';

const song = (id: number) => FAKE_SONGS.find((s) => s.id === id)!;

/** Independent expectation: the catalogue text without header lines or extra blank lines. */
function expected(lyrics: string): string {
  return lyrics
    .split('\n')
    .filter((l) => !l.startsWith('['))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

describe('extractLyrics', () => {
  it('joins several containers, skips the excluded header, keeps annotated line breaks', () => {
    const s = song(1001);
    const out = extractLyrics(renderSongPage(s, 'Almendra'));
    expect(out.lyrics).not.toBeNull();
    const raw = out.lyrics!;
    expect(raw).not.toContain('Contributors');
    expect(raw).not.toContain('Read More');
    expect(raw).not.toContain('Publicidad');
    expect(raw).not.toContain('About');
    expect(raw).toContain('con velas de papel & sal');
    expect(cleanLyrics(raw)).toBe(expected(s.lyrics!));
  });
  it('yields text whose glued legacy junk the cleaner removes', () => {
    const s = song(1004);
    const raw = extractLyrics(renderSongPage(s, 'Almendra')).lyrics!;
    expect(raw).toContain('You might also like');
    expect(raw).toContain('Get tickets');
    expect(cleanLyrics(raw)).toBe(expected(s.lyrics!));
  });
  it('keeps headers when asked', () => {
    const s = song(3001);
    const cleaned = cleanLyrics(extractLyrics(renderSongPage(s, 'Luis Alberto Spinetta')).lyrics!, {
      sectionHeaders: 'keep',
    });
    expect(cleaned).toBe(s.lyrics!);
  });
  it('reports pages without lyrics', () => {
    expect(extractLyrics(renderSongPage(song(1010), 'Almendra'))).toEqual({
      lyrics: null,
      reason: 'no-lyrics',
    });
    expect(extractLyrics('<html><body><p>hola</p></body></html>').reason).toBe('no-lyrics');
    expect(
      extractLyrics(
        '<html><div class="LyricsPlaceholder__Message-sc-1">This song is an instrumental</div></html>',
      ).reason,
    ).toBe('instrumental-only');
    expect(
      extractLyrics(
        '<html><div class="LyricsPlaceholder__Message">Lyrics for this song have yet to be released.</div></html>',
      ).reason,
    ).toBe('lyrics-unreleased');
  });
  it('reads pre-2020 pages with div.lyrics', () => {
    expect(extractLyrics('<html><div class="lyrics"><p>uno<br>dos</p></div></html>').lyrics!.trim()).toBe(
      'uno\ndos',
    );
  });
});
