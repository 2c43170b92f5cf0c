// Rules that strip Genius page furniture which leaks into lyrics text: the
// "N Contributors / Translations / <Title> Lyrics" header, the "Read More" song blurb,
// "You might also like" recommendations, ticket ads and the "NEmbed" footer.
// Each rule is a small pure function; `removePageJunk` applies them in order.
// The patterns follow what Genius pages render (seen in scraped text of any song page).

const HEAD_WINDOW = 1500;

/**
 * Remove a leading "12 ContributorsTranslationsEnglish… <Title> Lyrics" header, whether glued
 * on one line or spread over several. Only acts when the text starts with "N Contributor(s)".
 */
export function removeContributorsHeader(text: string): string {
  const start = text.match(/^\s*\d+\s*Contributors?/);
  if (!start) return text;
  const head = text.slice(0, HEAD_WINDOW);
  const lyricsWord = /Lyrics(?![\p{L}])/u.exec(head.slice(start[0].length));
  if (!lyricsWord) return text.slice(start[0].length);
  return text.slice(start[0].length + lyricsWord.index + lyricsWord[0].length);
}

/** Remove a "Translations" line and the language names listed right after it, at the top. */
export function removeTranslationsList(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || !/^Translations?$/i.test(lines[first]!.trim())) return text;
  let end = first + 1;
  while (end < lines.length && /^[\p{L} ()-]{2,30}$/u.test(lines[end]!.trim()) && !/^\[/.test(lines[end]!))
    end++;
  return lines.slice(end).join('\n');
}

/** Remove a first non-empty line that is a page title such as "Muchacha Lyrics". */
export function removeTitleLyricsLine(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || !/\S\s*Lyrics$/.test(lines[first]!.trim())) return text;
  lines.splice(first, 1);
  return lines.join('\n');
}

/**
 * Remove the song-description blurb that ends in "Read More" near the top of the text
 * (possibly glued to the following section header, e.g. "…Read More [Verso 1]").
 */
export function removeReadMoreBlurb(text: string): string {
  const head = text.slice(0, HEAD_WINDOW);
  const m = /Read More\s*/.exec(head);
  if (!m) return text;
  const lineStart = head.lastIndexOf('\n', m.index) + 1;
  // A blurb is prose: only cut when it sits in the first few lines.
  if (
    head
      .slice(0, lineStart)
      .split('\n')
      .filter((l) => l.trim()).length > 3
  )
    return text;
  return text.slice(0, lineStart) + text.slice(m.index + m[0].length);
}

/** Replace "You might also like" (often glued between two lyric lines) with a line break. */
export function removeYouMightAlsoLike(text: string): string {
  return text.replace(/ *You might also like */g, '\n');
}

/** Remove ticket ads such as "See Almendra LiveGet tickets as low as $52". */
export function removeTicketAds(text: string): string {
  return text
    .replace(/See [^\n]{1,80}? Live\s*Get tickets as low as \$\d+(?:\.\d+)?/g, '\n')
    .replace(/Get tickets as low as \$\d+(?:\.\d+)?/g, '\n');
}

/** Remove the trailing "Embed" / "12Embed" footer, also when glued to the last lyric line. */
export function removeEmbedFooter(text: string): string {
  return text.replace(/\s*\d*\s*Embed\s*$/, '');
}

/** Apply every page-junk rule, header rules first. */
export function removePageJunk(text: string): string {
  let out = removeContributorsHeader(text);
  out = removeTranslationsList(out);
  out = removeTitleLyricsLine(out);
  out = removeReadMoreBlurb(out);
  out = removeYouMightAlsoLike(out);
  out = removeTicketAds(out);
  return removeEmbedFooter(out);
}
