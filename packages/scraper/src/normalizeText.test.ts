import { describe, expect, it } from 'vitest';
import { collapseBlankLines, foldForMatch, normalizeUnicode } from './normalizeText.js';

describe('normalizeUnicode', () => {
  it('composes decomposed accents to NFC', () => {
    const nfd = 'cancio\u0301n';
    const out = normalizeUnicode(nfd);
    expect(out).toBe('canci\u00f3n');
    expect(out.length).toBe(7);
  });
  it('drops zero-width characters and turns NBSP and friends into spaces', () => {
    expect(normalizeUnicode('a\u200Bb\u00A0c\u202Fd\uFEFFe\u2009f')).toBe('ab c de f');
  });
  it('normalises line ends and trailing spaces', () => {
    expect(normalizeUnicode('uno  dos \r\ntres\rcuatro\u2028cinco')).toBe('uno dos\ntres\ncuatro\ncinco');
  });
});

describe('collapseBlankLines', () => {
  it('keeps at most one blank line and trims the ends', () => {
    expect(collapseBlankLines('\n\n a \n\n\n\nb\n \nc\n\n')).toBe('a\n\nb\n\nc');
  });
  it('honours maxBlank = 0', () => {
    expect(collapseBlankLines('a\n\n\nb', 0)).toBe('a\nb');
  });
});

describe('foldForMatch', () => {
  it('ignores case, accents and spacing', () => {
    expect(foldForMatch('  Luis   ALBERTO Spinétta ')).toBe('luis alberto spinetta');
    expect(foldForMatch('Pescado Rabioso')).toBe(foldForMatch('pescado rabioso'));
  });
});
