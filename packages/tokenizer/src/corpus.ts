// Corpus readers: turn a lyrics file into a list of songs.
//   .jsonl  the scraper's format, one song object per line with a string "lyrics"
//           and usually "artist" (id, title, album, releaseDate, url are optional here)
//   .json   the seed-style object {"<title>": "<lyrics>", …} (songs come in JavaScript
//           object order: integer-like titles such as "1999" first, then file order)
//   .txt    plain text; a line holding only <|endoftext|> separates songs
//           (a file without such a line is one song)
// Songs whose lyrics are empty or only whitespace are left out. Lyrics are kept
// byte for byte (no normalisation, CRLF kept), except that a .txt song is trimmed
// of the blank lines around its separators. Browser-safe; readCorpus (files)
// is in node/corpusFile.ts.

import { CorpusError } from './errors.js';

/** One song of the corpus. */
export interface Song {
  /** Song title, or null when the format has none (.txt). */
  readonly title: string | null;
  /** The lyrics, as they will be tokenized. */
  readonly lyrics: string;
  /** The artist (scraper JSONL `artist`), or null/absent when the format has none. */
  readonly artist?: string | null | undefined;
}

/** The line that separates songs in a .txt corpus. */
export const TXT_SONG_SEPARATOR = '<|endoftext|>';

/**
 * The songs that have lyrics (not empty, not only whitespace), in order.
 * @throws CorpusError (empty) when none is left; `source` names the file in the message.
 */
export function songsWithLyrics(songs: readonly Song[], source = 'The corpus'): Song[] {
  const kept = songs.filter((s) => typeof s?.lyrics === 'string' && s.lyrics.trim().length > 0);
  if (kept.length === 0) {
    throw new CorpusError(
      'empty',
      `${source} contains no songs with lyrics. Check the file or scrape again.`,
      {
        file: source === 'The corpus' ? undefined : source,
      },
    );
  }
  return kept;
}

/** Parses scraper JSONL (one song object per line; blank lines are skipped). */
export function parseJsonlCorpus(text: string, file = 'corpus.jsonl'): Song[] {
  const songs: Song[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = { file, line: i + 1 };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new CorpusError(
        'malformed-line',
        `${file}:${i + 1}: not valid JSON (${(err as Error).message}). Each line must be one song object.`,
        where,
      );
    }
    const song = value as { title?: unknown; lyrics?: unknown; artist?: unknown } | null;
    if (typeof song !== 'object' || song === null || Array.isArray(song) || typeof song.lyrics !== 'string') {
      throw new CorpusError(
        'malformed-line',
        `${file}:${i + 1}: expected a song object with a string "lyrics" field.`,
        where,
      );
    }
    songs.push({
      title: typeof song.title === 'string' ? song.title : null,
      lyrics: song.lyrics,
      artist: typeof song.artist === 'string' ? song.artist : null,
    });
  });
  return songsWithLyrics(songs, file);
}

/** Parses a seed-style JSON object mapping titles to lyrics. */
export function parseJsonCorpus(text: string, file = 'corpus.json'): Song[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CorpusError('malformed-file', `${file}: not valid JSON (${(err as Error).message}).`, { file });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CorpusError('malformed-file', `${file}: expected an object {"title": "lyrics", …}.`, { file });
  }
  const songs: Song[] = [];
  for (const [title, lyrics] of Object.entries(value)) {
    if (typeof lyrics !== 'string') {
      throw new CorpusError(
        'malformed-file',
        `${file}: the value of ${JSON.stringify(title)} is not a string of lyrics.`,
        { file },
      );
    }
    songs.push({ title, lyrics });
  }
  return songsWithLyrics(songs, file);
}

/** Parses plain text: songs separated by lines that hold only `<|endoftext|>`. */
export function parseTxtCorpus(text: string, file = 'corpus.txt'): Song[] {
  const songs: Song[] = [];
  let current: string[] = [];
  const end = () => {
    songs.push({ title: null, lyrics: current.join('').trim() });
    current = [];
  };
  for (const line of text.split(/(?<=\n)/)) {
    if (line.trim() === TXT_SONG_SEPARATOR) end();
    else current.push(line);
  }
  end();
  return songsWithLyrics(songs, file);
}
