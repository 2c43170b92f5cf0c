// Typed errors for the Genius scraper. Every message says what went wrong, where
// (URL path, file, option) and what to do next. Messages never hold the access
// token: anything built from outside text goes through `redact` first.

/** Base class of every error the scraper throws. */
export class ScraperError extends Error {
  override name = 'ScraperError';
}

/** A `scrape()` option is missing or out of range. */
export class ScraperOptionsError extends ScraperError {
  override name = 'ScraperOptionsError';
}

/** Genius answered 401: the access token is missing, revoked or malformed. */
export class GeniusAuthError extends ScraperError {
  override name = 'GeniusAuthError';
  constructor(readonly path: string) {
    super(
      `Genius rejected the access token (HTTP 401 on ${path}). The token is invalid, revoked or expired. ` +
        'Create an API client at https://genius.com/api-clients, click "Generate Access Token", ' +
        'and pass it as GENIUS_ACCESS_TOKEN or --token.',
    );
  }
}

/** An HTML page (often a Cloudflare challenge) came back where JSON or a song page was expected. */
export class GeniusBlockedError extends ScraperError {
  override name = 'GeniusBlockedError';
  constructor(
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      `Expected ${detail} from ${path} but got an HTML page (HTTP ${status}); this is usually Cloudflare ` +
        'bot protection or a proxy error page. Wait a while, lower --rps / --concurrency, check the API URL, ' +
        'and try again.',
    );
  }
}

/** A non-retryable HTTP status, or a retryable one that kept failing after every retry. */
export class GeniusHttpError extends ScraperError {
  override name = 'GeniusHttpError';
  constructor(
    readonly path: string,
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    bodySnippet: string,
  ) {
    super(
      `Genius answered HTTP ${status} on ${path}${bodySnippet ? `: ${bodySnippet}` : ''}. ` +
        (status === 429
          ? 'Genius is rate limiting: lower --rps / --concurrency and resume later.'
          : status >= 500
            ? 'Genius is having trouble: resume the scrape later (saved songs are kept).'
            : 'Check the artist names and the API URL.'),
    );
  }
}

/** A request took longer than `timeoutMs`. */
export class GeniusTimeoutError extends ScraperError {
  override name = 'GeniusTimeoutError';
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`No answer from ${path} within ${timeoutMs} ms. Raise timeoutMs or resume later.`);
  }
}

/** The connection dropped, or the body was cut short or not valid JSON. */
export class GeniusResponseError extends ScraperError {
  override name = 'GeniusResponseError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Bad response from ${path}: ${reason}. It is retried; if it persists, resume later.`);
  }
}

/** The output JSONL or seed JSON could not be read or written. */
export class CorpusFileError extends ScraperError {
  override name = 'CorpusFileError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`Corpus file ${file}: ${reason}`);
  }
}

/** The caller's AbortSignal fired. `summary` holds what was done before the stop. */
export class ScrapeAbortedError extends ScraperError {
  override name = 'ScrapeAbortedError';
  constructor(readonly summary: unknown) {
    super('The scrape was interrupted. Songs already saved are kept; run it again to resume.');
  }
}

/** Errors that are worth another try: rate limits, server errors, timeouts, cut-off bodies. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof GeniusTimeoutError || error instanceof GeniusResponseError) return true;
  if (error instanceof GeniusHttpError) return error.status === 429 || error.status >= 500;
  return false;
}
