// A stand-in for the Genius API and song pages: a real node:http server on 127.0.0.1
// (random port) for end-to-end tests of the scraper and the CLI. It serves /search,
// /artists/:id/songs (paginated by next_page), /songs/:id and HTML song pages whose URLs
// point back at itself, checks the bearer token like Genius does, records every request,
// and injects faults on demand. All data is invented (see fakeCatalog.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_ARTISTS, FAKE_SONGS, type FakeArtist, type FakeSong } from './fakeCatalog.js';
import { type FakeFault, faultMatches } from './fakeFaults.js';
import { renderSongPage, slugFor } from './fakePage.js';

export type { FakeArtist, FakeSong } from './fakeCatalog.js';
export type { FakeFault } from './fakeFaults.js';

/** Options of {@link startFakeGenius}. */
export interface FakeGeniusOptions {
  /** Access token the API accepts. Default: a random "fake-genius-…" string. */
  token?: string;
  /** Artists served. Default: FAKE_ARTISTS. */
  artists?: FakeArtist[];
  /** Songs served. Default: FAKE_SONGS. */
  songs?: FakeSong[];
  /** Largest page size of /artists/:id/songs whatever per_page asks. Default 3, to force pagination. */
  maxPerPage?: number;
  /** Delay before every API answer, in ms. Default 0. */
  apiLatencyMs?: number;
  /** Delay before every song page, in ms. Default 0. */
  pageLatencyMs?: number;
  /** Faults, checked in order; the first that matches and still has hits left applies. */
  faults?: FakeFault[];
  /** Put the received Authorization header into error bodies, to test that the scraper redacts it. */
  echoTokenInErrors?: boolean;
}

/** One request as the fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  userAgent: string | undefined;
  status: number;
  fault: FakeFault['kind'] | undefined;
  /** Body bytes written to the socket (counted for 'huge-page'; otherwise the body length). */
  bytesSent: number;
}

/** A running fake Genius server. */
export interface FakeGenius {
  /** Base URL, e.g. http://127.0.0.1:54321 — use as the scraper's apiUrl. */
  url: string;
  /** The accepted access token. */
  token: string;
  /** Every request so far, in arrival order. */
  requests: FakeRequest[];
  /** The page URL of a song, as the API reports it. */
  songUrl(songId: number): string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

/** Start the fake on 127.0.0.1 with a random port. */
export async function startFakeGenius(options: FakeGeniusOptions = {}): Promise<FakeGenius> {
  const token = options.token ?? `fake-genius-${randomBytes(12).toString('hex')}`;
  const artists = options.artists ?? FAKE_ARTISTS;
  const songs = options.songs ?? FAKE_SONGS;
  const maxPerPage = options.maxPerPage ?? 3;
  const faults = (options.faults ?? []).map((f) => ({ fault: f, seen: 0, used: 0 }));
  const requests: FakeRequest[] = [];
  const artistById = new Map(artists.map((a) => [a.id, a]));
  let base = '';

  const artistJson = (id: number) => {
    const a = artistById.get(id);
    return { id, name: a?.name ?? `Artist ${id}`, url: `${base}/artists/${id}`, api_path: `/artists/${id}` };
  };
  const pagePath = (s: FakeSong) => `/${slugFor(artistJson(s.primaryArtistId).name, s.title)}`;
  const songJson = (s: FakeSong) => ({
    id: s.id,
    title: s.title,
    full_title: `${s.title} by ${artistJson(s.primaryArtistId).name}`,
    url: `${base}${pagePath(s)}`,
    path: pagePath(s),
    api_path: `/songs/${s.id}`,
    lyrics_state: s.lyricsState ?? 'complete',
    release_date_for_display: s.releaseDate ?? null,
    primary_artist: artistJson(s.primaryArtistId),
    primary_artists: [artistJson(s.primaryArtistId)],
    featured_artists: (s.featuredArtistIds ?? []).map(artistJson),
  });

  function route(
    path: string,
    query: Record<string, string>,
  ): { status: number; type: string; body: string; page: boolean } {
    const json = (status: number, value: unknown) => ({
      status,
      type: 'application/json; charset=utf-8',
      body: JSON.stringify(value),
      page: false,
    });
    if (path === '/search') {
      const q = fold(query['q'] ?? '');
      const perPage = Number(query['per_page'] ?? 10);
      const page = Number(query['page'] ?? 1);
      // Decoys first: the first hit is not always the artist asked for.
      const hits = [...songs]
        .filter((s) => {
          const name = fold(artistJson(s.primaryArtistId).name);
          return q !== '' && (name.includes(q) || q.includes(name) || fold(s.title).includes(q));
        })
        .sort((a, b) => b.primaryArtistId - a.primaryArtistId)
        .slice((page - 1) * perPage, page * perPage)
        .map((s) => ({ index: 'song', type: 'song', highlights: [], result: songJson(s) }));
      return json(200, { meta: { status: 200 }, response: { hits } });
    }
    let m = /^\/artists\/(\d+)$/.exec(path);
    if (m) {
      const id = Number(m[1]);
      if (!artistById.has(id)) return json(404, { meta: { status: 404, message: 'Not found' } });
      return json(200, { meta: { status: 200 }, response: { artist: artistJson(id) } });
    }
    m = /^\/artists\/(\d+)\/songs$/.exec(path);
    if (m) {
      const id = Number(m[1]);
      if (!artistById.has(id)) return json(404, { meta: { status: 404, message: 'Not found' } });
      const perPage = Math.min(Number(query['per_page'] ?? 20), maxPerPage);
      const page = Number(query['page'] ?? 1);
      const mine = songs.filter((s) => s.primaryArtistId === id || (s.featuredArtistIds ?? []).includes(id));
      const slice = mine.slice((page - 1) * perPage, page * perPage).map(songJson);
      const nextPage = page * perPage < mine.length ? page + 1 : null;
      return json(200, { meta: { status: 200 }, response: { songs: slice, next_page: nextPage } });
    }
    m = /^\/songs\/(\d+)$/.exec(path);
    if (m) {
      const s = songs.find((x) => x.id === Number(m![1]));
      if (!s) return json(404, { meta: { status: 404, message: 'Not found' } });
      return json(200, {
        meta: { status: 200 },
        response: {
          song: {
            ...songJson(s),
            release_date: s.releaseDate ?? null,
            album: s.album ? { id: s.id * 10, name: s.album, url: `${base}/albums/x` } : null,
          },
        },
      });
    }
    const s = songs.find((x) => pagePath(x) === path);
    if (s) {
      return {
        status: 200,
        type: 'text/html; charset=utf-8',
        body: renderSongPage(s, artistJson(s.primaryArtistId).name),
        page: true,
      };
    }
    return {
      status: 404,
      type: 'text/html',
      body: '<!DOCTYPE html><html><body>Page not found</body></html>',
      page: true,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', base);
    const query = Object.fromEntries(u.searchParams);
    const isApi = u.pathname === '/search' || /^\/(artists|songs)\/\d+/.test(u.pathname);
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
      status: 0,
      fault: undefined,
      bytesSent: 0,
    };
    requests.push(record);
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      record.bytesSent = Buffer.byteLength(body);
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
    };
    const echo = options.echoTokenInErrors ? ` (you sent: ${req.headers.authorization ?? 'nothing'})` : '';

    const active = faults.find((f) => {
      if (!faultMatches(f.fault.match, u.pathname, !isApi)) return false;
      f.seen++;
      if (f.seen <= (f.fault.skip ?? 0)) return false;
      return f.used < (f.fault.times ?? 1);
    });
    if (active) {
      active.used++;
      record.fault = active.fault.kind;
    }
    const kind = active?.fault.kind;
    if (kind === 'slow') await sleep(active!.fault.delayMs ?? 5000);
    else await sleep(isApi ? (options.apiLatencyMs ?? 0) : (options.pageLatencyMs ?? 0));

    if (isApi && kind !== 'unauthorized' && req.headers.authorization !== `Bearer ${token}`)
      kindUnauthorized();
    else if (kind === 'unauthorized') kindUnauthorized();
    else if (kind === 'cloudflare') {
      send(
        403,
        'text/html; charset=UTF-8',
        `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><div id="challenge-running">Checking if the site connection is secure${echo}</div><noscript>Enable JavaScript and cookies to continue</noscript></body></html>`,
        { 'cf-mitigated': 'challenge', server: 'cloudflare' },
      );
    } else if (kind === 'html-200') {
      send(
        200,
        'text/html',
        '<!DOCTYPE html><html><body><h1>Genius is down for maintenance</h1></body></html>',
      );
    } else if (kind === 'rate-limit') {
      const headers: Record<string, string> = active!.fault.retryAfter
        ? { 'retry-after': active!.fault.retryAfter }
        : {};
      send(
        429,
        'application/json',
        JSON.stringify({ meta: { status: 429, message: `Too many requests${echo}` } }),
        headers,
      );
    } else if (kind === 'server-error') {
      send(
        500,
        'application/json',
        JSON.stringify({ meta: { status: 500, message: `Internal error${echo}` } }),
      );
    } else if (kind === 'deep-page') {
      const depth = active!.fault.depth ?? 100_000;
      send(
        200,
        'text/html; charset=utf-8',
        `<!DOCTYPE html><html><body>${'<div>'.repeat(depth)}<div data-lyrics-container="true">Hondo<br>muy hondo</div>${'</div>'.repeat(depth)}</body></html>`,
      );
    } else if (kind === 'huge-page') {
      streamHugePage(active!.fault.bytes ?? 400 * 1024 * 1024);
    } else {
      const r = route(u.pathname, query);
      if (kind === 'truncated') {
        send(r.status, r.type, r.body.slice(0, Math.floor(r.body.length / 2)));
      } else if (kind === 'drop') {
        record.status = r.status;
        res.writeHead(r.status, { 'content-type': r.type, 'content-length': Buffer.byteLength(r.body) });
        res.write(r.body.slice(0, Math.floor(r.body.length / 2)));
        setTimeout(() => res.destroy(), 5);
      } else {
        send(r.status, r.type, r.body);
      }
    }

    /** Writes `total` bytes of page, 64 KiB at a time, only as fast as the client reads. */
    function streamHugePage(total: number): void {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const chunk = Buffer.from(`<p>${'la '.repeat(21_844)}</p>`.padEnd(64 * 1024, ' '));
      res.write('<!DOCTYPE html><html><body><div data-lyrics-container="true">');
      const pump = () => {
        while (!res.destroyed && record.bytesSent < total) {
          record.bytesSent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end('</div></body></html>');
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    }

    function kindUnauthorized(): void {
      send(
        401,
        'application/json',
        JSON.stringify({
          error: 'invalid_token',
          error_description: `The access token provided is expired, revoked, malformed or invalid for other reasons.${echo}`,
        }),
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    token,
    requests,
    songUrl: (id) => {
      const s = songs.find((x) => x.id === id);
      return s ? `${base}${pagePath(s)}` : `${base}/missing-${id}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
