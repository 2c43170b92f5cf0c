// Resolve an artist name to a Genius id (search, exact primary-artist match) or look up an
// id the user gave, and list the artist's songs page by page until next_page is null.
import { findArtistInHits, otherArtistNames } from './artistMatch.js';
import { GeniusHttpError } from './errors.js';
import type { GeniusApi, GeniusArtist, GeniusSongSummary } from './geniusApi.js';

const SEARCH_PAGES = 3;
const SEARCH_PER_PAGE = 20;
const SONGS_PER_PAGE = 50;
const MAX_SONG_PAGES = 200; // a guard against an API that never ends pagination

/** An artist resolved to its Genius id, or the reason it was not. */
export type ArtistLookup = { artist: GeniusArtist } | { artist: null; reason: string };

/** Search for `name` and return the artist whose name matches; never someone else. */
export async function resolveArtist(api: GeniusApi, name: string): Promise<ArtistLookup> {
  const seen: GeniusSongSummary[] = [];
  for (let page = 1; page <= SEARCH_PAGES; page++) {
    const hits = await api.search(name, page, SEARCH_PER_PAGE);
    const artist = findArtistInHits(name, hits);
    if (artist) return { artist };
    seen.push(...hits);
    if (hits.length < SEARCH_PER_PAGE) break;
  }
  const others = otherArtistNames(seen);
  return {
    artist: null,
    reason:
      others.length > 0
        ? `no Genius artist named "${name}": the search found only songs by ${others.join(', ')}. ` +
          'Check the spelling (case and accents do not matter).'
        : `no Genius artist named "${name}": the search found no songs. Check the spelling.`,
  };
}

/** Look up an artist the user named by id (no search); a 404 is a reason, not an error. */
export async function resolveArtistId(api: GeniusApi, id: number): Promise<ArtistLookup> {
  try {
    return { artist: await api.artist(id) };
  } catch (error) {
    if (error instanceof GeniusHttpError && error.status === 404)
      return { artist: null, reason: `no Genius artist with id ${id}. Check the --artist-id value.` };
    throw error;
  }
}

/** Every song listed under the artist (primary or featured), in API order. */
export async function listArtistSongs(api: GeniusApi, artistId: number): Promise<GeniusSongSummary[]> {
  const songs: GeniusSongSummary[] = [];
  let page: number | null = 1;
  for (let n = 0; page !== null && n < MAX_SONG_PAGES; n++) {
    const result: { songs: GeniusSongSummary[]; nextPage: number | null } = await api.artistSongs(
      artistId,
      page,
      SONGS_PER_PAGE,
    );
    songs.push(...result.songs);
    page = result.nextPage;
  }
  return songs;
}

/** True when the artist is one of the song's primary artists. */
export function isPrimaryArtist(song: GeniusSongSummary, artistId: number): boolean {
  return song.primaryArtists.some((a) => a.id === artistId) || song.primaryArtist.id === artistId;
}
