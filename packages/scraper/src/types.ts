// Public option, event and summary types of `scrape()`.
import type { SkipReason } from './filters.js';
import type { Progress } from './progress.js';
import type { SectionHeaderMode } from './sectionHeaders.js';

/** Spinetta's projects, the default artists. */
export const DEFAULT_ARTISTS: readonly string[] = [
  'Almendra',
  'Pescado Rabioso',
  'Invisible',
  'Spinetta Jade',
  'Spinetta y los Socios del Desierto',
  'Luis Alberto Spinetta',
];

/** Default Genius API base URL. */
export const DEFAULT_API_URL = 'https://api.genius.com';

/** Default User-Agent header. */
export const DEFAULT_USER_AGENT = 'spinettai-scraper/0.1.0 (lyrics corpus builder; Node.js)';

/** Options of `scrape()`. Only `token` and `out` are required. */
export interface ScrapeOptions {
  /** Genius API client access token (https://genius.com/api-clients). Never logged or written. */
  token: string;
  /** JSONL output path; an existing file is resumed. */
  out: string;
  /**
   * Artist names, matched case- and accent-insensitively. Default {@link DEFAULT_ARTISTS}
   * when `artistIds` is not given either.
   */
  artists?: readonly string[];
  /** Genius artist ids, scraped without a search (for artists the search does not find). */
  artistIds?: readonly number[];
  /**
   * API base URL; song page URLs come from its answers. https, or http to a loopback
   * address only (the token would travel in clear text). Default {@link DEFAULT_API_URL}.
   */
  apiUrl?: string;
  /** Also keep songs where the artist is only featured. Default false. */
  includeFeatured?: boolean;
  /** "[Verso 1]"-style headers: 'remove' (default), 'keep', or 'markers' ("[verso]", "[coro]", …). */
  sectionHeaders?: SectionHeaderMode;
  /** Fewer words than this (or a single line) marks a non-song: skipped as too-short. 0 = off. Default 6. */
  minWords?: number;
  /** Largest response body in bytes; a larger page is skipped as page-too-large. Default 5 MB. */
  maxPageBytes?: number;
  /** Jaccard similarity of word 3-shingles at which lyrics count as duplicates. Default 0.8. */
  duplicateThreshold?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Request starts per second. Default 4. */
  requestsPerSecond?: number;
  /** Per-request timeout in ms. Default 20000. */
  timeoutMs?: number;
  /** Retries of a request after 429, 5xx, timeouts or cut-off bodies. Default 5. */
  maxRetries?: number;
  /** First retry delay in ms (doubles per retry, random ×1–2 jitter). Default 1000. */
  backoffMinMs?: number;
  /** Largest retry delay in ms. Default 30000. */
  backoffMaxMs?: number;
  /** Longest Retry-After honoured; a longer one fails the request. Default 300000. */
  maxRetryAfterMs?: number;
  /** Fetch /songs/:id for album and release date (one more request per song). Default true. */
  songDetails?: boolean;
  /** Also write the seed-style `{title: lyrics}` JSON of the whole corpus here, atomically. */
  seedJsonOut?: string;
  /** User-Agent header. Default {@link DEFAULT_USER_AGENT}. */
  userAgent?: string;
  /** Stops the scrape; it then rejects with ScrapeAbortedError. Saved songs stay saved. */
  signal?: AbortSignal;
  /** Called after each song is decided (saved, skipped or already saved). */
  onProgress?: (progress: Progress) => void;
  /** Called for each notable event; `message` is a redacted, human-readable line. */
  onEvent?: (event: ScrapeEvent) => void;
}

/** Something that happened during a scrape; `message` is safe to print. */
export type ScrapeEvent =
  | { type: 'resume'; existing: number; truncatedBytes: number; message: string }
  | { type: 'artist-resolved'; artist: string; artistId: number; message: string }
  | {
      type: 'artist-skipped';
      artist: string;
      reason: 'artist-not-found' | 'artist-id-not-found';
      message: string;
    }
  | { type: 'songs-listed'; artist: string; count: number; message: string }
  | { type: 'song-saved'; id: number; title: string; message: string }
  | { type: 'song-skipped'; id: number; title: string; reason: SkipReason; message: string }
  | { type: 'retry'; path: string; attempt: number; delayMs: number; message: string };

/** Per-artist part of the summary. */
export interface ArtistSummary {
  name: string;
  /** Genius artist id; null when the artist was skipped. */
  id: number | null;
  /** Why the artist was skipped (e.g. only another artist's songs were found). */
  skippedReason: string | null;
  listed: number;
  kept: number;
}

/** What `scrape()` did. */
export interface ScrapeSummary {
  out: string;
  seedJsonOut: string | null;
  /** Songs written by this run. */
  kept: number;
  /** Songs that were already in the output file (resumed, not downloaded again). */
  alreadySaved: number;
  /** Songs in the output file at the end. */
  totalInFile: number;
  /** Songs listed for all resolved artists. */
  listed: number;
  /** Songs left out, by {@link SkipReason}; reasons that never occurred are absent. */
  skipped: Record<string, number>;
  artists: ArtistSummary[];
  /** Bytes of a partial last line cut from the output file on open. */
  truncatedBytes: number;
  elapsedSeconds: number;
}
