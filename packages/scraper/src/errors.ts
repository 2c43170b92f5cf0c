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

/** An HTTP status other than 2xx (401 and Cloudflare's 403 have classes of their own). */
export class GeniusHttpError extends ScraperError {
  override name = 'GeniusHttpError';
  constructor(
    readonly path: string,
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    bodySnippet: string,
  ) {
    super(
      `Genius answered HTTP ${status} on ${path}${bodySnippet ? `: ${bodySnippet}` : ''}.` +
        (status === 429
          ? retryAfterMs !== undefined
            ? ` Genius asks to wait ${Math.ceil(retryAfterMs / 1000)} s: run the same command again after that to resume, with a lower --rps / --concurrency.`
            : ''
          : status >= 500
            ? ''
            : ' Check the artist names and the API URL (--api-url).'),
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
    super(`No answer from ${path} within ${timeoutMs} ms.`);
  }
}

/** The connection dropped, or the body was cut short or not valid JSON. */
export class GeniusResponseError extends ScraperError {
  override name = 'GeniusResponseError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Bad response from ${path}: ${reason}.`);
  }
}

/**
 * A request kept failing (429, 5xx, timeout, cut-off body or dropped connection) until
 * every retry was used. `cause` is the last failure.
 */
export class GeniusRetriesExhaustedError extends ScraperError {
  override name = 'GeniusRetriesExhaustedError';
  constructor(
    readonly path: string,
    readonly attempts: number,
    readonly lastError: ScraperError,
  ) {
    super(
      `Gave up on ${path} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError.message} ` +
        (lastError instanceof GeniusHttpError && lastError.status === 429
          ? 'Genius is rate limiting: run the same command again later, with a lower --rps / --concurrency, to resume (saved songs are kept).'
          : 'Run the same command again later to resume (saved songs are kept); raise --retries or --timeout if this keeps happening.'),
      { cause: lastError },
    );
  }
}

/** A response body was larger than `maxBytes`; its download was stopped at the cap. */
export class GeniusTooLargeError extends ScraperError {
  override name = 'GeniusTooLargeError';
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(
      `The answer from ${path} is larger than ${maxBytes} bytes; its download was stopped. ` +
        'Raise maxPageBytes (--max-page-bytes) if this page is genuine.',
    );
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
