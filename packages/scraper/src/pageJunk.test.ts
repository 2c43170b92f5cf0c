import { describe, expect, it } from 'vitest';
import {
  removeContributorsHeader,
  removeEmbedFooter,
  removePageJunk,
  removeReadMoreBlurb,
  removeTicketAds,
  removeTitleLyricsLine,
  removeTranslationsList,
  removeYouMightAlsoLike,
} from './pageJunk.js';

describe('page junk rules', () => {
  it('removes a glued contributors/translations/title header', () => {
    const text = '7 ContributorsTranslationsEnglishFrançaisBarco de Nube Lyrics[Verso 1]\nla nube';
    expect(removeContributorsHeader(text)).toBe('[Verso 1]\nla nube');
  });
  it('removes a one-contributor header spread over lines', () => {
    expect(removeContributorsHeader('1 Contributor\nMar Quieto Lyrics\nuna línea')).toBe('\nuna línea');
  });
  it('leaves text that does not start with a contributors count', () => {
    const text = 'Los 3 Contributors de la noche\nLyrics';
    expect(removeContributorsHeader(text)).toBe(text);
  });
  it('removes a Translations list at the top', () => {
    expect(removeTranslationsList('Translations\nEnglish\nPortuguês\n[Coro]\nhola')).toBe('[Coro]\nhola');
    expect(removeTranslationsList('hola\nTranslations')).toBe('hola\nTranslations');
  });
  it('removes a first "<Title> Lyrics" line only', () => {
    expect(removeTitleLyricsLine('\nMar Quieto Lyrics\nverso')).toBe('\nverso');
    expect(removeTitleLyricsLine('verso\nOtra Lyrics')).toBe('verso\nOtra Lyrics');
  });
  it('removes a Read More blurb near the top, glued or on its own line', () => {
    expect(removeReadMoreBlurb('“Mar” habla del agua… Read More [Verso]\nola')).toBe('[Verso]\nola');
    expect(removeReadMoreBlurb('Una canción sobre el río.\nRead More\nola')).toBe(
      'Una canción sobre el río.\nola',
    );
    const late = 'a\nb\nc\nd\ne\nRead More';
    expect(removeReadMoreBlurb(late)).toBe(late);
  });
  it('splits lines glued by "You might also like"', () => {
    expect(removeYouMightAlsoLike('final del versoYou might also likeprincipio')).toBe(
      'final del verso\nprincipio',
    );
  });
  it('removes ticket ads', () => {
    expect(removeTicketAds('lunaSee Almendra LiveGet tickets as low as $52sol')).toBe('luna\nsol');
    expect(removeTicketAds('Get tickets as low as $9.50')).toBe('\n');
  });
  it('removes the Embed footer, glued or alone', () => {
    expect(removeEmbedFooter('último verso12Embed')).toBe('último verso');
    expect(removeEmbedFooter('último verso\nEmbed\n')).toBe('último verso');
    expect(removeEmbedFooter('Embeber la noche')).toBe('Embeber la noche');
  });
});

describe('removePageJunk', () => {
  it('cleans a legacy scrape end to end', () => {
    const raw =
      '3 ContributorsTranslationsEnglishCielo de Tiza Lyrics“Cielo de Tiza” fue escrita en una tarde… Read More \n' +
      '[Verso 1]\nun cielo de tiza\nYou might also like\ny un tren de cartón\nSee Almendra LiveGet tickets as low as $40\n' +
      '[Coro]\nvuela 5Embed';
    expect(removePageJunk(raw).replace(/\n+/g, '|')).toBe(
      '[Verso 1]|un cielo de tiza|y un tren de cartón|[Coro]|vuela',
    );
  });
});
