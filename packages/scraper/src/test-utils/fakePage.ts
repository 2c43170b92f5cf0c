// HTML song pages shaped like Genius's current markup, rendered from the fake catalogue:
// several `data-lyrics-container` blocks split mid-stanza with an ad between them, a
// contributors/translations/title/"Read More" header inside the first block, `<br>` line
// breaks, annotated lines wrapped in nested `<a>`/`<span>`, `<i>`, entities, NBSP and
// zero-width characters, an About section and footer outside the lyrics. 'legacy'
// markup instead glues the header junk, "You might also like", a ticket ad and "NEmbed"
// into the lyrics text itself, the way older scrapes of Genius pages come out.
import type { FakeSong } from './fakeCatalog.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Genius-style URL slug: "Almendra", "Río Lento" → "Almendra-rio-lento". */
export function slugFor(artist: string, title: string): string {
  const slug = `${artist} ${title}`
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return `${slug.charAt(0).toUpperCase()}${slug.slice(1)}-lyrics`;
}

/** Lyric lines as HTML: every 4th line from the 2nd on starts a two-line annotation. */
function renderLines(lines: string[], offset: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const n = i + offset;
    let line = esc(lines[i]!);
    if (n === 0) line = line.replace(' ', '&nbsp;');
    if (n === 2) line = line.replace(/(\S+)$/, '<i>$1</i>');
    if (n === 5) line = line.replace(/(\S)(\S)/, '$1\u200B$2');
    const next = lines[i + 1];
    if (n % 4 === 1 && line !== '' && next !== undefined && next !== '') {
      out.push(
        `<a href="/${1000 + n}/annotation" class="ReferentFragment-desktop__ClickTarget-sc-42 eHQc"><span class="ReferentFragment-desktop__Highlight-sc-42 fPzA">${line}<br>${esc(next)}</span></a>`,
      );
      i++;
      continue;
    }
    out.push(line);
  }
  return out.join('<br>');
}

function modernHeader(song: FakeSong, title: string): string {
  return (
    '<div data-exclude-from-selection="true" class="LyricsHeader__Container-sc-9 jMgYqn">' +
    '<div class="ContributorsCreditSong__Container-sc-7 kRtbSZ"><span>4 Contributors</span></div>' +
    '<div class="LyricsHeader__TranslationsContainer-sc-9 hqPzjv"><span>Translations</span><ul><li><a href="/x">English</a></li><li><a href="/y">Português</a></li></ul></div>' +
    `<h2 class="LyricsHeader__Title-sc-9 bxuwkD">${esc(title)} Lyrics</h2>` +
    `<div class="SongBioPreview__Container-sc-3 dgQZxi"><p>“${esc(title)}” es una canción inventada (id ${song.id}) para probar el scraper.</p><span>Read More</span></div>` +
    '</div>'
  );
}

/** The full HTML page of a song; `artistName` is its primary artist. */
export function renderSongPage(song: FakeSong, artistName: string): string {
  const title = song.title;
  const head = `<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>${esc(artistName)} – ${esc(title)} Lyrics | Genius Lyrics</title><script>window.__PRELOADED_STATE__ = {"songPage":{"id":${song.id}}};</script><style>.x{color:red}</style></head><body><div id="application"><header class="Header__Container"><a href="/">GENIUS</a><nav>Featured Charts Videos Promote Your Music</nav></header><div class="SongHeader-desktop__Container"><h1>${esc(title)}</h1><a href="/artists/x">${esc(artistName)}</a></div>`;
  const about = `<div class="SongDescription__Content-sc-1"><h2>About</h2><p>Texto del About: “${esc(title)}” fue inventada para estas pruebas.</p></div><div class="PageFooter"><span>© Genius Media Group</span><span>Verified Artists</span></div></div></body></html>`;
  if (song.lyrics === null) {
    return `${head}<div id="lyrics-root-pin-spacer"><div class="LyricsPlaceholder__Container-sc-1"><div class="LyricsPlaceholder__Message-sc-1">This song has no lyrics on Genius yet. Add them!</div></div></div>${about}`;
  }
  const lines = song.lyrics.split('\n');
  const cut = Math.ceil(lines.length / 2) + (lines.length > 4 ? 1 : 0); // usually mid-stanza
  const first = lines.slice(0, cut);
  const second = lines.slice(cut);
  const container = (inner: string) =>
    `<div data-lyrics-container="true" class="Lyrics__Container-sc-1ynbvzw-1 kUgSbL">${inner}</div>`;
  const ad =
    '<div class="RightSidebar__Container-sc-1 hWQJGk"><div class="DfpAd__Container">Publicidad</div></div>';
  let body: string;
  if (song.markup === 'legacy') {
    const junkHead = `<span>4 Contributors</span><span>Translations</span><span>English</span><span>${esc(title)} Lyrics</span><span>“${esc(title)}” es una canción inventada para probar el scraper… Read More&nbsp;</span>`;
    const mid = Math.max(1, Math.floor(first.length / 2));
    const firstHtml = `${renderLines(first.slice(0, mid), 0)}You might also like${renderLines(first.slice(mid), mid)}`;
    const k = Math.max(1, Math.floor(second.length / 2));
    const secondHtml = `${renderLines(second.slice(0, k), cut)}See ${esc(artistName)} LiveGet tickets as low as $45${renderLines(second.slice(k), cut + k)}7Embed`;
    // Older pages also mixed decomposed (NFD) accents into the text.
    body = (container(junkHead + firstHtml) + ad + container(secondHtml)).normalize('NFD');
  } else {
    body =
      container(modernHeader(song, title) + renderLines(first, 0)) +
      ad +
      (second.length > 0 ? container(renderLines(second, cut)) : '') +
      '<div class="LyricsFooter__Container-sc-1"><button>12Embed</button><span>You might also like</span></div>';
  }
  return `${head}<div id="lyrics-root" class="Lyrics__Root-sc-1ynbvzw-0">${body}</div>${about}`;
}
