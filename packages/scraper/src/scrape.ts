// scrape(): Genius artists → cleaned, filtered, de-duplicated JSONL corpus.
//   1. open the output (resume: saved ids are not downloaded again; dedupe is seeded with them)
//   2. per artist: resolve the id by exact name (or take the id given), list its songs
//   3. decide what needs no download (saved, title/page filters, featured, unreleased);
//      a song listed twice is planned once, except that a listing under an artist who is
//      only featured on it gives way to a later listing under its primary artist
//   4. download the rest concurrently, but save strictly in list order, so duplicate
//      decisions — and therefore the file — are the same whether or not a run was resumed
//   5. optionally write the seed-style {title: lyrics} JSON atomically; return a summary
import pLimit from 'p-limit';
import {
  type ArtistLookup,
  isPrimaryArtist,
  listArtistSongs,
  resolveArtist,
  resolveArtistId,
} from './artistSongs.js';
import { writeFileAtomic } from './atomicWrite.js';
import { type CorpusRecord, openCorpusFile } from './corpusFile.js';
import { Deduper } from './dedupe.js';
import { ScrapeAbortedError, ScraperOptionsError } from './errors.js';
import { DEFAULT_MIN_WORDS, pageSkipReason, type SkipReason, titleSkipReason } from './filters.js';
import { GeniusApi, type GeniusSongSummary } from './geniusApi.js';
import { createHttpClient, DEFAULT_MAX_PAGE_BYTES } from './httpClient.js';
import { rejectUnknownKeys } from './optionKeys.js';
import { ProgressTracker } from './progress.js';
import { redact, redactError } from './redact.js';
import { downloadSong, type SongOutcome } from './songDownload.js';
import {
  DEFAULT_API_URL,
  DEFAULT_ARTISTS,
  DEFAULT_USER_AGENT,
  type ScrapeEvent,
  type ScrapeOptions,
  type ScrapeSummary,
} from './types.js';

interface Planned {
  song: GeniusSongSummary;
  /** Index into summary.artists of the artist it was listed under. */
  artistIndex: number;
  /** 'listed-again': a featured-only listing of a song planned again under its primary artist. */
  skip: SkipReason | 'already-saved' | 'listed-again' | null;
  /** For a 'duplicate-id' listing: the plan index of the song's first listing. */
  firstListing?: number;
}

/** Scrape the artists' lyrics from Genius into `options.out`. See README for details. */
export async function scrape(options: ScrapeOptions): Promise<ScrapeSummary> {
  const o = validate(options);
  const secrets = [o.token];
  const emit = (event: ScrapeEvent) => o.onEvent?.({ ...event, message: redact(event.message, secrets) });
  const started = Date.now();
  const internal = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, internal.signal]) : internal.signal;
  let fatal: unknown;

  const corpus = await openCorpusFile(o.out);
  const summary: ScrapeSummary = {
    out: o.out,
    seedJsonOut: o.seedJsonOut ?? null,
    kept: 0,
    alreadySaved: 0,
    totalInFile: corpus.existing.length,
    listed: 0,
    skipped: {},
    artists: [],
    truncatedBytes: corpus.truncatedBytes,
    elapsedSeconds: 0,
  };
  const skip = (song: GeniusSongSummary, reason: SkipReason, detail = '') => {
    summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
    emit({
      type: 'song-skipped',
      id: song.id,
      title: song.title,
      reason,
      message: `skipped "${song.title}" (${reason}${detail ? `: ${detail}` : ''})`,
    });
  };

  try {
    if (corpus.existing.length > 0 || corpus.truncatedBytes > 0) {
      emit({
        type: 'resume',
        existing: corpus.existing.length,
        truncatedBytes: corpus.truncatedBytes,
        message: `resuming ${o.out}: ${corpus.existing.length} songs already saved${corpus.truncatedBytes ? `, cut a partial last line of ${corpus.truncatedBytes} bytes` : ''}`,
      });
    }
    const savedIds = new Set(corpus.existing.map((r) => String(r.id)));
    const deduper = new Deduper(o.duplicateThreshold);
    for (const r of corpus.existing) deduper.add(r.title, r.lyrics);

    const http = createHttpClient({
      token: o.token,
      apiUrl: o.apiUrl,
      userAgent: o.userAgent,
      timeoutMs: o.timeoutMs,
      maxRetries: o.maxRetries,
      concurrency: o.concurrency,
      requestsPerSecond: o.requestsPerSecond,
      backoffMinMs: o.backoffMinMs,
      backoffMaxMs: o.backoffMaxMs,
      maxRetryAfterMs: o.maxRetryAfterMs,
      maxBytes: o.maxPageBytes,
      signal,
      onRetry: (r) =>
        emit({
          ...r,
          type: 'retry',
          message: `retry ${r.attempt} of ${r.path} in ${r.delayMs} ms: ${r.reason}`,
        }),
    });
    const api = new GeniusApi(http, o.apiUrl);

    // 2–3. List and plan.
    const plan: Planned[] = [];
    /** Planned entry of each song id, so a second listing can be judged against the first. */
    const plannedAt = new Map<string, number>();
    const targets: Array<{ name: string; id?: number }> = [
      ...o.artists.map((name) => ({ name })),
      ...o.artistIds.map((id) => ({ name: `artist id ${id}`, id })),
    ];
    for (const target of targets) {
      const lookup: ArtistLookup =
        target.id === undefined
          ? await resolveArtist(api, target.name)
          : await resolveArtistId(api, target.id);
      if (!lookup.artist) {
        const reason = target.id === undefined ? 'artist-not-found' : 'artist-id-not-found';
        summary.artists.push({
          name: target.name,
          id: null,
          skippedReason: lookup.reason,
          listed: 0,
          kept: 0,
        });
        emit({
          type: 'artist-skipped',
          artist: target.name,
          reason,
          message: `skipping artist: ${lookup.reason}`,
        });
        continue;
      }
      const artist = lookup.artist;
      const name = target.id === undefined ? target.name : artist.name;
      emit({
        type: 'artist-resolved',
        artist: name,
        artistId: artist.id,
        message: `${name} → Genius artist ${artist.id}`,
      });
      const songs = await listArtistSongs(api, artist.id);
      summary.artists.push({ name, id: artist.id, skippedReason: null, listed: songs.length, kept: 0 });
      summary.listed += songs.length;
      emit({
        type: 'songs-listed',
        artist: name,
        count: songs.length,
        message: `${name}: ${songs.length} songs listed`,
      });
      for (const song of songs) {
        const key = String(song.id);
        const featuredOnly = !o.includeFeatured && !isPrimaryArtist(song, artist.id);
        const earlier = plannedAt.get(key);
        if (earlier !== undefined) {
          // Only the featured-only decision depends on the artist: every other one would
          // come out the same, so the song counts once.
          if (featuredOnly || plan[earlier]!.skip !== 'featured-only') {
            plan.push({
              song,
              artistIndex: summary.artists.length - 1,
              skip: 'duplicate-id',
              firstListing: earlier,
            });
            continue;
          }
          plan[earlier]!.skip = 'listed-again';
        }
        const reason: Planned['skip'] = savedIds.has(key)
          ? 'already-saved'
          : (titleSkipReason(song.title) ??
            pageSkipReason({ title: song.title, url: song.url, artistName: song.primaryArtist.name }) ??
            (featuredOnly ? 'featured-only' : null) ??
            (song.lyricsState === 'unreleased' ? 'lyrics-unreleased' : null));
        plannedAt.set(key, plan.length);
        plan.push({ song, artistIndex: summary.artists.length - 1, skip: reason });
      }
    }

    // 4. Download concurrently, save in order.
    const downloads = plan.filter((p) => p.skip === null).length;
    const progress = new ProgressTracker(plan.length, downloads);
    const limit = pLimit(o.concurrency);
    const settings = {
      api,
      http,
      sectionHeaders: o.sectionHeaders,
      minWords: o.minWords,
      songDetails: o.songDetails,
    };
    const outcomes = plan.map((p) =>
      p.skip !== null
        ? null
        : limit(async (): Promise<SongOutcome> => {
            signal.throwIfAborted();
            if (deduper.hasTitle(p.song.title))
              return { skip: 'duplicate-title', detail: 'title already saved' };
            return downloadSong(p.song, p.song.primaryArtist.name, settings);
          }).catch((error: unknown) => {
            fatal ??= error; // the first run-wide failure stops the other downloads
            internal.abort();
            throw error;
          }),
    );
    for (const pending of outcomes) pending?.catch(() => undefined); // awaited in order below
    const saved: CorpusRecord[] = [];
    /** Plan indexes of songs that are in the file (saved now or before). */
    const inFile = new Set<number>();

    for (const [i, p] of plan.entries()) {
      if (p.skip === 'already-saved') {
        summary.alreadySaved++;
        inFile.add(i);
      } else if (p.skip === 'duplicate-id') {
        // A duplicate only of a song in the file; otherwise its first listing's reason counts.
        if (p.firstListing !== undefined && inFile.has(p.firstListing)) skip(p.song, p.skip);
      } else if (p.skip !== null && p.skip !== 'listed-again') skip(p.song, p.skip);
      const pending = outcomes[i];
      if (pending) {
        const outcome = await pending;
        if ('skip' in outcome) skip(p.song, outcome.skip, outcome.detail);
        else {
          const dup = deduper.check(outcome.record.title, outcome.record.lyrics);
          if (dup) skip(p.song, dup);
          else {
            await corpus.append(outcome.record);
            saved.push(outcome.record);
            deduper.add(outcome.record.title, outcome.record.lyrics);
            summary.kept++;
            inFile.add(i);
            summary.totalInFile++;
            summary.artists[p.artistIndex]!.kept++;
            emit({
              type: 'song-saved',
              id: p.song.id,
              title: p.song.title,
              message: `saved "${p.song.title}"`,
            });
          }
        }
      }
      o.onProgress?.(progress.tick(p.song.title, pending !== null && pending !== undefined));
    }

    // 5. Seed JSON of the whole file.
    if (o.seedJsonOut) {
      const all = [...corpus.existing, ...saved];
      await writeFileAtomic(o.seedJsonOut, `${JSON.stringify(seedJson(all), null, 2)}\n`);
    }
    summary.elapsedSeconds = (Date.now() - started) / 1000;
    return summary;
  } catch (error) {
    internal.abort();
    summary.elapsedSeconds = (Date.now() - started) / 1000;
    if (o.signal?.aborted) throw new ScrapeAbortedError(summary);
    throw redactError(fatal ?? error, secrets);
  } finally {
    await corpus.close();
  }
}

/** The seed project's `{title: lyrics}` object; a repeated title gets " (2)", " (3)", … */
export function seedJson(records: readonly CorpusRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of records) {
    let key = r.title;
    for (let n = 2; Object.hasOwn(out, key); n++) key = `${r.title} (${n})`;
    out[key] = r.lyrics;
  }
  return out;
}

type Resolved = Required<Omit<ScrapeOptions, 'signal' | 'onProgress' | 'onEvent' | 'seedJsonOut'>> &
  Pick<ScrapeOptions, 'signal' | 'onProgress' | 'onEvent' | 'seedJsonOut'>;

const KNOWN_OPTIONS = [
  'token',
  'out',
  'artists',
  'artistIds',
  'apiUrl',
  'includeFeatured',
  'sectionHeaders',
  'minWords',
  'maxPageBytes',
  'duplicateThreshold',
  'concurrency',
  'requestsPerSecond',
  'timeoutMs',
  'maxRetries',
  'backoffMinMs',
  'backoffMaxMs',
  'maxRetryAfterMs',
  'songDetails',
  'seedJsonOut',
  'userAgent',
  'signal',
  'onProgress',
  'onEvent',
] as const satisfies ReadonlyArray<keyof ScrapeOptions>;

function validate(options: ScrapeOptions): Resolved {
  if (typeof options !== 'object' || options === null)
    throw new ScraperOptionsError('scrape() needs an options object with at least `token` and `out`.');
  rejectUnknownKeys(options, KNOWN_OPTIONS, 'scrape()');
  if (typeof options.token !== 'string' || options.token.trim() === '') {
    throw new ScraperOptionsError(
      'No Genius access token. Set GENIUS_ACCESS_TOKEN or pass --token-file (get one at https://genius.com/api-clients).',
    );
  }
  if (typeof options.out !== 'string' || options.out === '') {
    throw new ScraperOptionsError('No output path: pass `out` (--out), e.g. scraped/corpus.jsonl.');
  }
  const artistIds = options.artistIds ?? [];
  const r: Resolved = {
    ...options,
    token: options.token.trim(),
    artists: options.artists ?? (artistIds.length > 0 ? [] : DEFAULT_ARTISTS),
    artistIds,
    apiUrl: options.apiUrl ?? DEFAULT_API_URL,
    includeFeatured: options.includeFeatured ?? false,
    sectionHeaders: options.sectionHeaders ?? 'remove',
    minWords: options.minWords ?? DEFAULT_MIN_WORDS,
    maxPageBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
    duplicateThreshold: options.duplicateThreshold ?? 0.8,
    concurrency: options.concurrency ?? 4,
    requestsPerSecond: options.requestsPerSecond ?? 4,
    timeoutMs: options.timeoutMs ?? 20_000,
    maxRetries: options.maxRetries ?? 5,
    backoffMinMs: options.backoffMinMs ?? 1000,
    backoffMaxMs: options.backoffMaxMs ?? 30_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
    songDetails: options.songDetails ?? true,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
  };
  const positive: Array<[string, number]> = [
    ['concurrency', r.concurrency],
    ['requestsPerSecond', r.requestsPerSecond],
    ['timeoutMs', r.timeoutMs],
    ['maxPageBytes', r.maxPageBytes],
  ];
  for (const [name, v] of positive) {
    if (!Number.isFinite(v) || v <= 0)
      throw new ScraperOptionsError(`${name} must be a positive number, got ${v}.`);
  }
  const wholes: Array<[string, number]> = [
    ['maxRetries', r.maxRetries],
    ['minWords', r.minWords],
  ];
  for (const [name, v] of wholes) {
    if (!Number.isInteger(v) || v < 0)
      throw new ScraperOptionsError(`${name} must be a whole number ≥ 0, got ${v}.`);
  }
  for (const id of r.artistIds) {
    if (!Number.isInteger(id) || id <= 0)
      throw new ScraperOptionsError(
        `artistIds must hold positive whole numbers (Genius artist ids), got ${id}.`,
      );
  }
  if (!['remove', 'keep', 'markers'].includes(r.sectionHeaders)) {
    throw new ScraperOptionsError(
      `sectionHeaders must be 'remove', 'keep' or 'markers', got '${r.sectionHeaders}'.`,
    );
  }
  if (r.artists.length === 0 && r.artistIds.length === 0)
    throw new ScraperOptionsError('artists is empty: name at least one artist (or give artistIds).');
  checkApiUrl(r.apiUrl, r.token);
  return r;
}

/**
 * The API URL must be https, or http to a loopback address (a local stand-in): the token
 * travels in its Authorization header, and plain http would send it in clear text.
 */
function checkApiUrl(apiUrl: string, token: string): void {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new ScraperOptionsError(
      `apiUrl (--api-url) is not a URL: ${redact(apiUrl, [token])}. Fix it, e.g. https://api.genius.com.`,
    );
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (isLoopback(url.hostname)) return;
    throw new ScraperOptionsError(
      `apiUrl (--api-url) ${redact(url.origin, [token])} is plain http to a host that is not this machine: ` +
        'the token would be sent in clear text. Use https, or http only to 127.0.0.1, ::1 or localhost.',
    );
  }
  throw new ScraperOptionsError(
    `apiUrl (--api-url) must be an https:// URL, got the scheme "${url.protocol}". Fix the flag, e.g. --api-url https://api.genius.com.`,
  );
}

/** 127.0.0.0/8, ::1 and localhost (URL hostnames keep IPv6 in brackets). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
