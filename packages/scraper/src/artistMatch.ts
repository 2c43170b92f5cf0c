// Resolve an artist name to its Genius id. The search endpoint returns songs, not
// artists, so the id comes from the first hit whose primary artist's name equals the
// requested one, ignoring case and accents. Any other hit — "Invisible Kids" for
// "Invisible" — is not taken: the caller skips the artist with a reason instead.
import type { GeniusArtist, GeniusSongSummary } from './geniusApi.js';
import { foldForMatch } from './normalizeText.js';

/** True when two artist names are the same up to case, accents and spacing. */
export function sameArtistName(a: string, b: string): boolean {
  return foldForMatch(a) === foldForMatch(b);
}

/** The matching artist among search hits, or null. Checks each hit's primary artists. */
export function findArtistInHits(name: string, hits: readonly GeniusSongSummary[]): GeniusArtist | null {
  for (const hit of hits) {
    for (const artist of hit.primaryArtists) if (sameArtistName(artist.name, name)) return artist;
  }
  return null;
}

/** Up to `max` distinct primary-artist names among hits, for a "found only …" message. */
export function otherArtistNames(hits: readonly GeniusSongSummary[], max = 3): string[] {
  const names: string[] = [];
  for (const hit of hits) {
    if (!names.includes(hit.primaryArtist.name)) names.push(hit.primaryArtist.name);
    if (names.length >= max) break;
  }
  return names;
}
