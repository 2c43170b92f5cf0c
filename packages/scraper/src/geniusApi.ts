// The three Genius API endpoints the scraper needs (https://docs.genius.com):
//   GET /search?q=…                 songs matching a query, each with its primary artist
//   GET /artists/:id                one artist (for ids given by the user)
//   GET /artists/:id/songs?page=…   an artist's songs, paginated until next_page is null
//   GET /songs/:id                  one song with album and release date
// Responses are narrowed to the fields used here; anything else is ignored.
import { ScraperError } from './errors.js';
import type { HttpClient } from './httpClient.js';

/** An artist as the API reports it. */
export interface GeniusArtist {
  id: number;
  name: string;
}

/** A song as listed by search or /artists/:id/songs. */
export interface GeniusSongSummary {
  id: number;
  title: string;
  url: string | null;
  lyricsState: string | null;
  primaryArtist: GeniusArtist;
  /** All primary artists (collaborations list several). */
  primaryArtists: GeniusArtist[];
}

/** Extra fields from /songs/:id. */
export interface GeniusSongDetails {
  album: string | null;
  releaseDate: string | null;
}

/** Thin typed wrapper over the Genius API. */
export class GeniusApi {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
  ) {}

  private url(path: string, query: Record<string, string | number>): string {
    const u = new URL(path.replace(/^\//, ''), this.apiUrl.endsWith('/') ? this.apiUrl : `${this.apiUrl}/`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async response(
    path: string,
    query: Record<string, string | number>,
  ): Promise<Record<string, unknown>> {
    const body = await this.http.getJson(this.url(path, query));
    const response = isObject(body) ? body['response'] : undefined;
    if (!isObject(response)) {
      throw new ScraperError(`Genius answered ${path} without a "response" object; is the API URL right?`);
    }
    return response;
  }

  /** Song hits for a query (one page of results). */
  async search(query: string, page = 1, perPage = 20): Promise<GeniusSongSummary[]> {
    const r = await this.response('/search', { q: query, page, per_page: perPage });
    const hits = Array.isArray(r['hits']) ? r['hits'] : [];
    return hits
      .map((h) => (isObject(h) && h['type'] === 'song' ? toSummary(h['result']) : null))
      .filter((s): s is GeniusSongSummary => s !== null);
  }

  /** One artist by id. */
  async artist(artistId: number): Promise<GeniusArtist> {
    const r = await this.response(`/artists/${artistId}`, { text_format: 'plain' });
    const artist = toArtist(r['artist']);
    if (!artist) {
      throw new ScraperError(`Genius answered /artists/${artistId} without an artist; is the API URL right?`);
    }
    return artist;
  }

  /** One page of an artist's songs and the number of the next page (null at the end). */
  async artistSongs(
    artistId: number,
    page: number,
    perPage = 50,
  ): Promise<{ songs: GeniusSongSummary[]; nextPage: number | null }> {
    const r = await this.response(`/artists/${artistId}/songs`, { page, per_page: perPage, sort: 'title' });
    const songs = (Array.isArray(r['songs']) ? r['songs'] : [])
      .map(toSummary)
      .filter((s): s is GeniusSongSummary => s !== null);
    const next = r['next_page'];
    return { songs, nextPage: typeof next === 'number' && next > page ? next : null };
  }

  /** Album name and release date of one song. */
  async songDetails(songId: number): Promise<GeniusSongDetails> {
    const r = await this.response(`/songs/${songId}`, { text_format: 'plain' });
    const song = isObject(r['song']) ? r['song'] : {};
    const album =
      isObject(song['album']) && typeof song['album']['name'] === 'string' ? song['album']['name'] : null;
    const date = typeof song['release_date'] === 'string' ? song['release_date'] : null;
    return { album, releaseDate: date };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toArtist(v: unknown): GeniusArtist | null {
  if (!isObject(v) || typeof v['id'] !== 'number' || typeof v['name'] !== 'string') return null;
  return { id: v['id'], name: v['name'] };
}

function toSummary(v: unknown): GeniusSongSummary | null {
  if (!isObject(v) || typeof v['id'] !== 'number' || typeof v['title'] !== 'string') return null;
  const primaryArtist = toArtist(v['primary_artist']);
  if (!primaryArtist) return null;
  const list = Array.isArray(v['primary_artists'])
    ? v['primary_artists'].map(toArtist).filter((a): a is GeniusArtist => a !== null)
    : [];
  return {
    id: v['id'],
    title: v['title'],
    url: typeof v['url'] === 'string' ? v['url'] : null,
    lyricsState: typeof v['lyrics_state'] === 'string' ? v['lyrics_state'] : null,
    primaryArtist,
    primaryArtists: list.length > 0 ? list : [primaryArtist],
  };
}
