// Download one song (page, and optionally /songs/:id for album and date), extract and
// clean its lyrics, and apply the content filters. Failures that concern only this song
// (a 404, retries exhausted) become a 'fetch-failed' skip; failures that concern the
// whole run (bad token, Cloudflare block, abort) are thrown.
import { cleanLyrics } from './cleanLyrics.js';
import type { CorpusRecord } from './corpusFile.js';
import {
  GeniusHttpError,
  GeniusResponseError,
  GeniusRetriesExhaustedError,
  GeniusTimeoutError,
  GeniusTooLargeError,
} from './errors.js';
import { type ExtractResult, extractLyrics, MAX_PAGE_DEPTH } from './extractLyrics.js';
import { countLines, countWords, isInstrumentalOnly, isTooShort, type SkipReason } from './filters.js';
import type { GeniusApi, GeniusSongSummary } from './geniusApi.js';
import type { HttpClient } from './httpClient.js';
import { normalizeUnicode } from './normalizeText.js';
import { removePageJunk } from './pageJunk.js';
import type { SectionHeaderMode } from './sectionHeaders.js';

/** A downloaded song ready to save, or why it is left out. */
export type SongOutcome = { record: CorpusRecord } | { skip: SkipReason; detail: string };

/** Settings of {@link downloadSong}. */
export interface SongDownloadSettings {
  api: GeniusApi;
  http: HttpClient;
  sectionHeaders: SectionHeaderMode;
  minWords: number;
  songDetails: boolean;
}

/** Download and clean one listed song. */
export async function downloadSong(
  song: GeniusSongSummary,
  artistName: string,
  s: SongDownloadSettings,
): Promise<SongOutcome> {
  if (!song.url) return { skip: 'no-lyrics', detail: 'the API gave no page URL' };
  let html: string;
  let details = { album: null as string | null, releaseDate: null as string | null };
  try {
    [html, details] = await Promise.all([
      s.http.getHtml(song.url),
      s.songDetails ? s.api.songDetails(song.id) : Promise.resolve(details),
    ]);
  } catch (error) {
    if (error instanceof GeniusTooLargeError) return { skip: 'page-too-large', detail: error.message };
    if (
      error instanceof GeniusHttpError ||
      error instanceof GeniusRetriesExhaustedError ||
      error instanceof GeniusResponseError ||
      error instanceof GeniusTimeoutError
    ) {
      return { skip: 'fetch-failed', detail: error.message };
    }
    throw error;
  }
  const extracted = extractOrSkip(html);
  if (extracted.lyrics === null) {
    return {
      skip: extracted.reason,
      detail:
        extracted.reason === 'page-too-deep'
          ? `the page nests elements more than ${MAX_PAGE_DEPTH} deep`
          : 'the page has no lyrics text',
    };
  }
  if (isInstrumentalOnly(removePageJunk(normalizeUnicode(extracted.lyrics)))) {
    return { skip: 'instrumental-only', detail: 'the page only says [Instrumental]' };
  }
  const lyrics = cleanLyrics(extracted.lyrics, { sectionHeaders: s.sectionHeaders });
  if (lyrics === '') return { skip: 'no-lyrics', detail: 'nothing left after cleaning' };
  if (isTooShort(lyrics, s.minWords)) {
    const [words, lines] = [countWords(lyrics), countLines(lyrics)];
    return {
      skip: 'too-short',
      detail: `${words} word${words === 1 ? '' : 's'} on ${lines} line${lines === 1 ? '' : 's'}; a song needs ${s.minWords} words on 2 lines`,
    };
  }
  return {
    record: {
      id: song.id,
      title: normalizeUnicode(song.title).trim(),
      artist: artistName,
      album: details.album,
      releaseDate: details.releaseDate,
      url: song.url,
      lyrics,
    },
  };
}

/** extractLyrics, with a stack overflow in the HTML library turned into a skip, never a crash. */
function extractOrSkip(html: string): ExtractResult {
  try {
    return extractLyrics(html);
  } catch (error) {
    if (error instanceof RangeError) return { lyrics: null, reason: 'page-too-deep' };
    throw error;
  }
}
