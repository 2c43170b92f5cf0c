// Faults the fake Genius server can inject, and which requests each one hits.

/**
 * A fault injected into matching requests.
 * - `unauthorized`: 401 with Genius's invalid_token JSON.
 * - `cloudflare`: 403 with a Cloudflare "Just a moment..." HTML page.
 * - `html-200`: 200 with an HTML maintenance page (where JSON is expected).
 * - `rate-limit`: 429 JSON, with a `Retry-After: retryAfter` header when given.
 * - `server-error`: 500 JSON.
 * - `slow`: waits `delayMs` (default 5000) before answering normally.
 * - `truncated`: 200 whose body is only the first half of the normal body.
 * - `drop`: sends headers and half the body, then destroys the socket.
 * - `deep-page`: a song page whose lyrics sit inside `depth` (default 100,000) nested elements.
 * - `huge-page`: a 200 song page of `bytes` (default 400 MB) generated while it is sent, with
 *   backpressure and no content-length; the request's `bytesSent` counts what went out.
 */
export interface FakeFault {
  /** 'api' (any JSON endpoint), 'pages' (song pages), 'search', 'artist-songs', 'song', a path prefix, or a RegExp on the path. */
  match: 'api' | 'pages' | 'search' | 'artist-songs' | 'song' | string | RegExp;
  kind:
    | 'unauthorized'
    | 'cloudflare'
    | 'html-200'
    | 'rate-limit'
    | 'server-error'
    | 'slow'
    | 'truncated'
    | 'drop'
    | 'deep-page'
    | 'huge-page';
  /** How many matching requests it hits, after `skip`. Default 1; use Infinity for always. */
  times?: number;
  /** Matching requests let through untouched before the fault starts. Default 0. */
  skip?: number;
  /** Retry-After header value for 'rate-limit' (e.g. "1" or an HTTP-date); omitted → no header. */
  retryAfter?: string;
  /** Delay for 'slow'. */
  delayMs?: number;
  /** Nesting depth for 'deep-page'. Default 100,000. */
  depth?: number;
  /** Body size for 'huge-page'. Default 400 MB. */
  bytes?: number;
}

/** True when a fault's `match` selects the request with this path. */
export function faultMatches(match: FakeFault['match'], path: string, isPage: boolean): boolean {
  if (match instanceof RegExp) return match.test(path);
  switch (match) {
    case 'api':
      return !isPage;
    case 'pages':
      return isPage;
    case 'search':
      return path === '/search';
    case 'artist-songs':
      return /^\/artists\/\d+\/songs$/.test(path);
    case 'song':
      return /^\/songs\/\d+$/.test(path);
    default:
      return path.startsWith(match);
  }
}
