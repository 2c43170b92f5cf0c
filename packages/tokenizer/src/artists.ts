// Artist conditioning: one special token per artist, `<|artist:NAME|>`, put at
// the start of each of that artist's songs, so that generation can start from
// it and write in that artist's style (issue 16). Browser-safe.

import type { Song } from './corpus.js';
import { CorpusError, TokenizerError } from './errors.js';

/** The special token of an artist: `<|artist:NAME|>` (name trimmed). */
export function artistToken(name: string): string {
  return `<|artist:${name.trim()}|>`;
}

/** The artist of a song, trimmed, or undefined when it has none. */
export function songArtist(song: Song): string | undefined {
  const name = typeof song.artist === 'string' ? song.artist.trim() : '';
  return name === '' ? undefined : name;
}

/**
 * The distinct artists of the songs, sorted (by code point, so the same corpus
 * always gives the same token ids).
 * @throws CorpusError when a song has no artist (e.g. a .txt or .json corpus).
 */
export function corpusArtists(songs: readonly Song[]): string[] {
  const names = new Set<string>();
  songs.forEach((song, i) => {
    const name = songArtist(song);
    if (name === undefined) {
      throw new CorpusError(
        'malformed-file',
        `Song #${i + 1}${song.title ? ` (${JSON.stringify(song.title)})` : ''} has no artist; condition 'artist' needs every song to have one (the scraper's .jsonl corpus has an "artist" field).`,
      );
    }
    names.add(name);
  });
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The token id of an artist in a dataset's `meta.json` `artists` (artist → id),
 * for generation that starts from that artist's token.
 * @throws TokenizerError (`option: 'artist'`) naming the known artists, or saying
 * that the data was tokenized without artist conditioning.
 */
export function artistTokenId(artists: Readonly<Record<string, number>> | undefined, name: string): number {
  const known = Object.keys(artists ?? {});
  if (artists === undefined || known.length === 0) {
    throw new TokenizerError(
      `artist ${JSON.stringify(name)}: this data was tokenized without artist conditioning; tokenize it again with condition 'artist'.`,
      { option: 'artist' },
    );
  }
  const id = Object.hasOwn(artists, name.trim()) ? artists[name.trim()] : undefined;
  if (id === undefined) {
    throw new TokenizerError(
      `artist ${JSON.stringify(name)} is not in this data; known artists: ${known.map((a) => JSON.stringify(a)).join(', ')}.`,
      { option: 'artist' },
    );
  }
  return id;
}
