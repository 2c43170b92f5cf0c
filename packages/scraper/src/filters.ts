// Which songs do not belong in the corpus. Title rules follow the seed project (live
// versions, instrumentals, remixes, karaoke, covers, the "Bandas Eternas" compilation);
// page rules drop translations, tracklists and other non-lyrics pages Genius files as
// songs; content rules drop "[Instrumental]"-only pages and non-songs: texts of a single
// line or of fewer than `minWords` words (empty pages, placeholders such as "Lyrics will
// be available soon"). Length in characters is not a rule: a real four-line song can be
// shorter than a placeholder sentence.
import { foldForMatch } from './normalizeText.js';
import { isSectionHeader } from './sectionHeaders.js';

/** Why a song was left out; used as keys of the summary's `skipped` counts. */
export type SkipReason =
  | 'title-live'
  | 'title-instrumental'
  | 'title-remix'
  | 'title-karaoke'
  | 'title-cover'
  | 'title-bandas-eternas'
  | 'translation'
  | 'tracklist'
  | 'non-lyrics-page'
  | 'featured-only'
  | 'lyrics-unreleased'
  | 'no-lyrics'
  | 'instrumental-only'
  | 'too-short'
  | 'page-too-deep'
  | 'page-too-large'
  | 'duplicate-id'
  | 'duplicate-title'
  | 'duplicate-lyrics'
  | 'fetch-failed';

const TITLE_RULES: ReadonlyArray<[RegExp, SkipReason]> = [
  [/\b(en vivo|vivo|live|directo)\b/, 'title-live'],
  [/\binstrumental\b/, 'title-instrumental'],
  [/\b(remix|remixed|remezcla|rmx)\b/, 'title-remix'],
  [/\bkaraoke\b/, 'title-karaoke'],
  [/\bcover\b/, 'title-cover'],
  [/\bbandas eternas\b/, 'title-bandas-eternas'],
];

/** The title rule a song title trips, compared case- and accent-insensitively; null if none. */
export function titleSkipReason(title: string): SkipReason | null {
  const t = foldForMatch(title);
  for (const [pattern, reason] of TITLE_RULES) if (pattern.test(t)) return reason;
  return null;
}

/** What {@link pageSkipReason} looks at. */
export interface PageInfo {
  title: string;
  url?: string | null;
  /** Primary artist name as Genius reports it. */
  artistName?: string;
}

/**
 * Translation pages (Genius's "Genius Traducciones"/"Genius Translations" artists, or titles
 * like "(Traducción al inglés)"), tracklists and other non-lyrics pages; null if a song page.
 */
export function pageSkipReason(page: PageInfo): SkipReason | null {
  const title = foldForMatch(page.title);
  const artist = foldForMatch(page.artistName ?? '');
  const url = (page.url ?? '').toLowerCase();
  if (
    /^genius\b.*\b(translations?|traducciones|traducoes|traductions|ubersetzungen)\b/.test(artist) ||
    /\b(traduccion|translation|traducao|traduction|ubersetzung)\b/.test(title) ||
    /-(translation|traduccion|traducao)s?\b/.test(url)
  )
    return 'translation';
  if (/\b(tracklist|track list|lista de temas|lista de canciones)\b/.test(title)) return 'tracklist';
  if (
    /\b(liner notes|credits|creditos|discography|discografia|setlist|booklet|interview|entrevista|press release|biography|biografia)\b/.test(
      title,
    )
  )
    return 'non-lyrics-page';
  return null;
}

/** True when every non-blank line is a bracketed header and one of them says "instrumental". */
export function isInstrumentalOnly(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  return lines.every(isSectionHeader) && lines.some((l) => /instrumental/i.test(l));
}

/** Default of `minWords`: low, so that only non-songs fall under it. */
export const DEFAULT_MIN_WORDS = 6;

/** Words (runs of letters or digits, with inner apostrophes and hyphens) in a text. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/** Non-blank lines in a text. */
export function countLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

/**
 * True when cleaned lyrics look like a non-song: fewer than `minWords` words, or a single
 * line. `minWords` 0 turns the rule off.
 */
export function isTooShort(lyrics: string, minWords: number): boolean {
  if (minWords <= 0) return false;
  return countWords(lyrics) < minWords || countLines(lyrics) < 2;
}
