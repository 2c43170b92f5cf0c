// The HTTP layer against a real local server: limits, headers, Retry-After, backoff bounds.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GeniusAuthError,
  GeniusBlockedError,
  GeniusHttpError,
  GeniusRetriesExhaustedError,
  GeniusTimeoutError,
  GeniusTooLargeError,
  ScraperOptionsError,
} from './errors.js';
import { createHttpClient, describeUrl, type RetryInfo } from './httpClient.js';

const TOKEN = 'unit-test-token-123';
let server: Server | undefined;

async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}

afterEach(stop);

/** A server that answers from `handler` and tracks how many requests were in flight at most. */
async function serve(
  handler: (
    n: number,
    url: string,
  ) => { status?: number; body?: string; headers?: Record<string, string>; delay?: number },
) {
  const stats = {
    inFlight: 0,
    maxInFlight: 0,
    starts: [] as number[],
    headers: [] as Record<string, unknown>[],
  };
  let n = 0;
  server = createServer((req, res) => {
    const r = handler(n++, req.url ?? '');
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.starts.push(performance.now());
    stats.headers.push(req.headers);
    setTimeout(() => {
      stats.inFlight--;
      if (res.destroyed) return;
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body ?? '{"response":{}}');
    }, r.delay ?? 0);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, stats };
}

const client = (url: string, extra: Partial<Parameters<typeof createHttpClient>[0]> = {}) =>
  createHttpClient({
    token: TOKEN,
    apiUrl: url,
    userAgent: 'test-agent/1',
    timeoutMs: 2000,
    maxRetries: 3,
    concurrency: 2,
    requestsPerSecond: 1000,
    backoffMinMs: 5,
    backoffMaxMs: 20,
    ...extra,
  });

describe('createHttpClient', () => {
  it('sends the User-Agent everywhere and the token only to API JSON requests', async () => {
    const { url, stats } = await serve(() => ({}));
    const http = client(url);
    await http.getJson(`${url}/search?q=x`);
    const other = url.replace('127.0.0.1', 'localhost');
    await http.getJson(`${other}/page`);
    await http.getHtml(`${url}/song-lyrics`).catch(() => undefined);
    expect(stats.headers[0]!['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(stats.headers[2]!['authorization']).toBeUndefined();
    expect(stats.headers[0]!['user-agent']).toBe('test-agent/1');
    expect(stats.headers[1]!['authorization']).toBeUndefined();
    expect(stats.headers[1]!['user-agent']).toBe('test-agent/1');
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const { url, stats } = await serve(() => ({ delay: 60 }));
    const http = client(url, { concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => http.getJson(`${url}/x${i}`)));
    expect(stats.maxInFlight).toBe(2);
  });

  it('caps request starts per second', async () => {
    const { url, stats } = await serve(() => ({}));
    await client(url).getJson(`${url}/warm-up`); // fetch's first use is slow; another client, another throttle
    const http = client(url, { requestsPerSecond: 20, concurrency: 8 });
    // Timed from the client: the 5th request may start only 4 × 50 ms after the 1st, however
    // late the server sees the first one (arrival times at the server jitter under load).
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => http.getJson(`${url}/x${i}`)));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 50 - 5); // timers may fire 1 ms early
    expect(stats.starts).toHaveLength(6);
  });

  it('waits at least Retry-After before retrying a 429', async () => {
    const { url, stats } = await serve((n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : {},
    );
    const retries: RetryInfo[] = [];
    await client(url, { onRetry: (r) => retries.push(r) }).getJson(`${url}/x`);
    expect(stats.starts.length).toBe(2);
    expect(stats.starts[1]! - stats.starts[0]!).toBeGreaterThanOrEqual(990);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after maxRetries saying what happened and to run the command again later', async () => {
    const { url, stats } = await serve(() => ({ status: 503, body: '{"meta":{"message":"down"}}' }));
    const err = await client(url, { maxRetries: 2 })
      .getJson(`${url}/x`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeniusRetriesExhaustedError);
    const last = (err as GeniusRetriesExhaustedError).lastError;
    expect(last).toBeInstanceOf(GeniusHttpError);
    expect((last as GeniusHttpError).status).toBe(503);
    expect(stats.starts.length).toBe(3);
    const message = (err as Error).message;
    expect(message).toMatch(/after 3 attempts/);
    expect(message).toMatch(/HTTP 503/);
    expect(message).toMatch(/run the same command again later to resume/i);
    expect(message).not.toMatch(/It is retried/);
  });

  it('cuts off a body over maxBytes without reading the rest, and does not retry it', async () => {
    let sent = 0;
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && sent < 400 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    const err = await client(url, { maxBytes: 1024 * 1024 })
      .getHtml(`${url}/huge`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeniusTooLargeError);
    expect((err as Error).message).toMatch(/--max-page-bytes/);
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toBeLessThan(32 * 1024 * 1024); // stopped near the cap, not at 400 MB
  });

  it('rejects unknown option keys', () => {
    expect(() =>
      createHttpClient({ token: 't', apiUrl: 'http://127.0.0.1:1', maxRetires: 2 } as never),
    ).toThrow(ScraperOptionsError);
  });

  it('does not wait for an over-long Retry-After', async () => {
    const { url, stats } = await serve(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    const err = await client(url, { maxRetryAfterMs: 1000 })
      .getJson(`${url}/x`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeniusHttpError);
    expect(stats.starts.length).toBe(1);
    expect((err as Error).message).toMatch(/asks to wait 3600 s: run the same command again after that/);
  });

  it('times out, then retries', async () => {
    const { url, stats } = await serve((n) => ({ delay: n === 0 ? 500 : 0 }));
    await client(url, { timeoutMs: 100 }).getJson(`${url}/x`);
    expect(stats.starts.length).toBe(2);
    await stop();
    const { url: url2 } = await serve(() => ({ delay: 500 }));
    const err = await client(url2, { timeoutMs: 50, maxRetries: 1 })
      .getJson(`${url2}/x`)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeniusRetriesExhaustedError);
    expect((err as GeniusRetriesExhaustedError).lastError).toBeInstanceOf(GeniusTimeoutError);
    expect((err as Error).message).toMatch(/within 50 ms.*run the same command again later/i);
  });

  it('fails fast on 401 and on HTML where JSON was expected', async () => {
    const { url, stats } = await serve((n) =>
      n === 0
        ? { status: 401 }
        : { body: '<html><body>Just a moment...</body></html>', headers: { 'content-type': 'text/html' } },
    );
    await expect(client(url).getJson(`${url}/a`)).rejects.toBeInstanceOf(GeniusAuthError);
    await expect(client(url).getJson(`${url}/b`)).rejects.toBeInstanceOf(GeniusBlockedError);
    expect(stats.starts.length).toBe(2);
  });

  it('describes URLs without their query', () => {
    expect(describeUrl('http://h:1/search?q=secret')).toBe('h:1/search');
  });
});
