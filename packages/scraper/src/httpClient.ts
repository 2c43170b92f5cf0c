// HTTP for the scraper: one place that applies the User-Agent, the bearer token (API
// origin only), a per-request timeout, a concurrency limit, a requests-per-second cap
// and bounded retries with exponential backoff + jitter that honour Retry-After, and a
// cap on every response body: the download stops once it passes `maxBytes`, so a huge or
// endless page costs at most the cap in memory.
// Built on Node's fetch, p-limit (concurrency), p-throttle (rate) and p-retry (retry loop).
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import pThrottle from 'p-throttle';
import {
  GeniusAuthError,
  GeniusBlockedError,
  GeniusHttpError,
  GeniusResponseError,
  GeniusRetriesExhaustedError,
  GeniusTimeoutError,
  GeniusTooLargeError,
  isRetryable,
  ScraperError,
} from './errors.js';
import { rejectUnknownKeys } from './optionKeys.js';
import { redact, redactError } from './redact.js';
import { parseRetryAfter } from './retryAfter.js';

/** Settings of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Genius access token; sent as `Authorization: Bearer …` to the API origin only. */
  token: string;
  /** Base URL of the Genius API; requests to its origin carry the token. */
  apiUrl: string;
  userAgent: string;
  /** Per-attempt limit, covering headers and body. */
  timeoutMs: number;
  /** Retries after the first attempt for 429, 5xx, timeouts and cut-off bodies. */
  maxRetries: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Request starts per second (strict sliding window). */
  requestsPerSecond: number;
  /** First backoff delay; doubles each retry, times a random 1–2 jitter. Default 1000. */
  backoffMinMs?: number;
  /** Ceiling of one backoff delay. Default 30000. */
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown. Default 300000. */
  maxRetryAfterMs?: number;
  /** Largest response body; a larger one is cut off at the cap (GeniusTooLargeError). Default 5 MB. */
  maxBytes?: number;
  signal?: AbortSignal;
  /** Called before each retry wait, with a redacted reason. */
  onRetry?: (info: RetryInfo) => void;
}

/** What {@link HttpClientOptions.onRetry} is told. */
export interface RetryInfo {
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** GET helpers returning parsed JSON or page HTML. */
export interface HttpClient {
  getJson(url: string): Promise<unknown>;
  getHtml(url: string): Promise<string>;
}

const KNOWN_OPTIONS = [
  'token',
  'apiUrl',
  'userAgent',
  'timeoutMs',
  'maxRetries',
  'concurrency',
  'requestsPerSecond',
  'backoffMinMs',
  'backoffMaxMs',
  'maxRetryAfterMs',
  'maxBytes',
  'signal',
  'onRetry',
] as const satisfies ReadonlyArray<keyof HttpClientOptions>;

/** Default cap of one response body: 5 MB (Genius song pages are about 0.5 MB). */
export const DEFAULT_MAX_PAGE_BYTES = 5 * 1024 * 1024;

/** Build an {@link HttpClient}; all its requests share one limiter and one throttle. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  rejectUnknownKeys(options, KNOWN_OPTIONS, 'createHttpClient');
  const secrets = [options.token];
  const apiOrigin = new URL(options.apiUrl).origin;
  const limit = pLimit(Math.max(1, options.concurrency));
  const permit = pThrottle({
    limit: 1,
    interval: Math.max(1, Math.round(1000 / Math.max(options.requestsPerSecond, 0.001))),
    strict: true,
    ...(options.signal ? { signal: options.signal } : {}),
  })(() => undefined);
  const minMs = options.backoffMinMs ?? 1000;
  const maxMs = options.backoffMaxMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PAGE_BYTES;
  /** Whether a failed attempt is tried again (with retries left). */
  const willRetry = (error: Error): boolean => {
    if (!isRetryable(error)) return false;
    const wait = error instanceof GeniusHttpError ? error.retryAfterMs : undefined;
    return wait === undefined || wait <= maxRetryAfterMs;
  };

  async function request(url: string, kind: 'json' | 'html'): Promise<string> {
    const path = describeUrl(url);
    let attempts = 0;
    try {
      // p-retry runs the loop; the backoff wait is ours (in onFailedAttempt), so the
      // delay reported to onRetry is the delay actually waited.
      return await pRetry(
        async () => {
          attempts++;
          await permit();
          return limit(() => attempt(url, path, kind));
        },
        {
          retries: options.maxRetries,
          minTimeout: 0,
          maxTimeout: 0,
          ...(options.signal ? { signal: options.signal } : {}),
          shouldRetry: ({ error }) => willRetry(error),
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft <= 0 || !willRetry(error)) return;
            const backoff = Math.min(
              maxMs,
              Math.round(minMs * 2 ** (attemptNumber - 1) * (1 + Math.random())),
            );
            const retryAfter = error instanceof GeniusHttpError ? error.retryAfterMs : undefined;
            const delayMs = Math.max(backoff, retryAfter ?? 0);
            options.onRetry?.({
              path,
              attempt: attemptNumber,
              delayMs,
              reason: redact(error.message, secrets),
            });
            await sleep(delayMs, options.signal);
          },
        },
      );
    } catch (error) {
      // A retryable failure that is thrown here has used every retry.
      if (error instanceof ScraperError && isRetryable(error) && willRetry(error) && !options.signal?.aborted)
        throw redactError(new GeniusRetriesExhaustedError(path, attempts, error), secrets);
      throw redactError(error, secrets);
    }
  }

  async function attempt(url: string, path: string, kind: 'json' | 'html'): Promise<string> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      'user-agent': options.userAgent,
      accept: kind === 'json' ? 'application/json' : 'text/html',
    };
    // Song pages never need the token; it goes to the API origin only.
    if (kind === 'json' && new URL(url).origin === apiOrigin)
      headers['authorization'] = `Bearer ${options.token}`;
    let status = 0;
    let contentType = '';
    let body: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(url, { headers, signal, redirect: 'follow' });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      retryAfter = response.headers.get('retry-after');
      body = await readCapped(response, maxBytes, path);
    } catch (error) {
      if (error instanceof GeniusTooLargeError) throw error;
      if (options.signal?.aborted) throw new AbortError(toError(options.signal.reason));
      if (timeout.aborted) throw new GeniusTimeoutError(path, options.timeoutMs);
      throw new GeniusResponseError(path, `connection failed (${redact(describeCause(error), secrets)})`);
    }
    const looksHtml = /html/i.test(contentType) || /^\s*</.test(body);
    if (status === 401) throw new GeniusAuthError(path);
    if (status === 403 && looksHtml) throw new GeniusBlockedError(path, status, kindLabel(kind));
    if (status < 200 || status >= 300) {
      throw new GeniusHttpError(path, status, parseRetryAfter(retryAfter), snippet(body, secrets));
    }
    if (kind === 'json') {
      if (looksHtml) throw new GeniusBlockedError(path, status, kindLabel(kind));
      try {
        JSON.parse(body);
      } catch {
        throw new GeniusResponseError(path, 'the JSON body is cut off or malformed');
      }
    } else if (!/<\/html\s*>/i.test(body)) {
      throw new GeniusResponseError(path, 'the page ends before </html> (truncated)');
    }
    return body;
  }

  return {
    getJson: async (url) => JSON.parse(await request(url, 'json')) as unknown,
    getHtml: (url) => request(url, 'html'),
  };
}

/**
 * The body as text, read chunk by chunk; past `maxBytes` the stream is cancelled (which
 * closes the connection) and GeniusTooLargeError is thrown, so at most the cap is held.
 */
async function readCapped(response: Response, maxBytes: number, path: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new GeniusTooLargeError(path, maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new GeniusTooLargeError(path, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Host and path of a URL, without the query string (it can hold search terms or keys). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function kindLabel(kind: 'json' | 'html'): string {
  return kind === 'json' ? 'JSON' : 'a Genius song page';
}

function snippet(body: string, secrets: readonly string[]): string {
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return redact(text.length > 160 ? `${text.slice(0, 160)}…` : text, secrets);
}

function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 3 && current instanceof Error; i++) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(error);
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}

/** Wait `ms`, rejecting early with the signal's reason when it fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(toError(signal.reason));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(toError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
