// scrape() against injected faults, over real HTTP: bad token, Cloudflare, HTML instead
// of JSON, 429 with and without Retry-After, 500 then success, slow answers past the
// timeout, truncated and dropped bodies, and songs that keep failing. Also: the token
// never shows up in events, progress, summary, files or errors.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GeniusAuthError, GeniusBlockedError } from './errors.js';
import { type FakeFault, type FakeGenius, startFakeGenius } from './test-utils/fakeGenius.js';
import { everythingVisible, readJsonl, runScrape, tempDir } from './test-utils/scrapeHarness.js';

let fake: FakeGenius | undefined;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await cleanup();
});

const ARTISTS = ['Pescado Rabioso']; // 3 listed: 2 kept, 1 skipped by title
const KEPT = [2001, 2002];
const PEZ_PAGE = /Pescado-rabioso-pez-de-vidrio-lyrics$/;

async function withFaults(faults: FakeFault[], extra: Parameters<typeof startFakeGenius>[0] = {}) {
  fake = await startFakeGenius({ faults, ...extra });
  const out = join(dir, 'corpus.jsonl');
  const run = await runScrape(fake, out, { artists: ARTISTS });
  const ids = run.error ? [] : (await readJsonl(out)).map((r) => r.id);
  return { run, ids, out, fake };
}

describe('fatal faults stop the run with a clear error', () => {
  it('401: says the token is invalid and where to get one', async () => {
    fake = await startFakeGenius();
    const run = await runScrape({ ...fake, token: 'not-the-right-token' }, join(dir, 'c.jsonl'), {
      artists: ARTISTS,
    });
    expect(run.error).toBeInstanceOf(GeniusAuthError);
    expect(run.error!.message).toMatch(/token.*invalid/i);
    expect(run.error!.message).toContain('https://genius.com/api-clients');
    expect(run.error!.message).not.toContain('not-the-right-token');
    expect(fake.requests).toHaveLength(1); // 401 is not retried
  });

  it('401 in the middle of the run (token revoked) also stops it', async () => {
    const { run } = await withFaults([{ match: 'song', kind: 'unauthorized', times: Infinity }]);
    expect(run.error).toBeInstanceOf(GeniusAuthError);
  });

  it('403 Cloudflare HTML: blocked error naming the path, not retried', async () => {
    const { run, fake } = await withFaults([{ match: 'search', kind: 'cloudflare', times: Infinity }]);
    expect(run.error).toBeInstanceOf(GeniusBlockedError);
    expect(run.error!.message).toContain('/search');
    expect(run.error!.message).toMatch(/HTML page \(HTTP 403\).*Cloudflare/);
    expect(fake.requests.filter((r) => r.path === '/search')).toHaveLength(1);
  });

  it('HTML with status 200 where JSON was expected: blocked error', async () => {
    const { run } = await withFaults([{ match: 'artist-songs', kind: 'html-200', times: Infinity }]);
    expect(run.error).toBeInstanceOf(GeniusBlockedError);
    expect(run.error!.message).toContain('Expected JSON');
  });
});

describe('transient faults are retried and the result is complete', () => {
  it('429 with Retry-After waits that long', async () => {
    const t0 = performance.now();
    const { run, ids, fake } = await withFaults([
      { match: 'artist-songs', kind: 'rate-limit', retryAfter: '1' },
    ]);
    expect(ids).toEqual(KEPT);
    const listing = fake.requests.filter((r) => r.path === '/artists/102/songs');
    expect(listing.map((r) => r.status)).toEqual([429, 200]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000);
    const retry = run.events.find((e) => e.type === 'retry');
    expect(retry?.type === 'retry' && retry.delayMs).toBeGreaterThanOrEqual(1000);
  });

  it('429 without Retry-After backs off exponentially', async () => {
    const { run, ids, fake } = await withFaults([{ match: 'pages', kind: 'rate-limit', times: 2 }]);
    expect(ids).toEqual(KEPT);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(2);
    const delays = run.events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
    expect(delays.length).toBe(2);
    for (const d of delays) expect(d).toBeLessThanOrEqual(60); // backoffMaxMs 30 × jitter ≤ 2
  });

  it('500 then success', async () => {
    const { ids, fake } = await withFaults([{ match: 'search', kind: 'server-error' }]);
    expect(ids).toEqual(KEPT);
    expect(fake.requests.filter((r) => r.path === '/search').map((r) => r.status)).toEqual([500, 200]);
  });

  it('a response slower than the timeout is abandoned and retried', async () => {
    fake = await startFakeGenius({ faults: [{ match: PEZ_PAGE, kind: 'slow', delayMs: 1500 }] });
    const out = join(dir, 'c.jsonl');
    const run = await runScrape(fake, out, { artists: ARTISTS, timeoutMs: 300 });
    expect((await readJsonl(out)).map((r) => r.id)).toEqual(KEPT);
    const retry = run.events.find((e) => e.type === 'retry');
    expect(retry?.message).toContain('within 300 ms');
  });

  it('a truncated page and a dropped connection are retried', async () => {
    const { ids, fake, run } = await withFaults([
      { match: PEZ_PAGE, kind: 'truncated' },
      { match: 'song', kind: 'drop' },
    ]);
    expect(ids).toEqual(KEPT);
    expect(fake.requests.filter((r) => PEZ_PAGE.test(r.path))).toHaveLength(2);
    const reasons = run.events.flatMap((e) => (e.type === 'retry' ? [e.message] : []));
    expect(reasons.some((m) => m.includes('truncated'))).toBe(true);
    expect(reasons.some((m) => m.includes('connection failed'))).toBe(true);
  });

  it('a song that keeps failing is skipped as fetch-failed after maxRetries; the rest is kept', async () => {
    const { run, ids, fake } = await withFaults([{ match: PEZ_PAGE, kind: 'server-error', times: Infinity }]);
    expect(ids).toEqual([2002]);
    expect(run.summary!.skipped['fetch-failed']).toBe(1);
    expect(fake.requests.filter((r) => PEZ_PAGE.test(r.path))).toHaveLength(4); // 1 + maxRetries 3
  });
});

describe('the token stays secret', () => {
  it('never appears in events, progress, summary, files or errors, even when the server echoes it', async () => {
    fake = await startFakeGenius({
      echoTokenInErrors: true,
      faults: [
        { match: 'song', kind: 'server-error', times: Infinity }, // echoes "Bearer <token>" in every body
        { match: 'search', kind: 'rate-limit', retryAfter: '0' },
        { match: 'pages', kind: 'truncated' },
      ],
    });
    const ok = await runScrape(fake, join(dir, 'a.jsonl'), {
      artists: ARTISTS,
      seedJsonOut: join(dir, 'a.json'),
    });
    expect(ok.summary!.skipped['fetch-failed']).toBe(2);
    const failed = ok.events.filter((e) => e.type === 'song-skipped' && e.reason === 'fetch-failed');
    expect(failed[0]!.message).toContain('[REDACTED]'); // the echo reached the message and was masked
    const okText = await everythingVisible(ok, dir);
    expect(okText).not.toContain(fake.token);

    // A fatal error whose body carries the echoed token.
    await fake.close();
    fake = await startFakeGenius({
      echoTokenInErrors: true,
      faults: [{ match: 'search', kind: 'server-error', times: Infinity }],
    });
    const bad = await runScrape(fake, join(dir, 'b.jsonl'), { artists: ARTISTS, maxRetries: 1 });
    expect(bad.error?.message).toContain('HTTP 500');
    expect(bad.error?.message).toContain('[REDACTED]');
    const badText = await everythingVisible(bad, dir);
    expect(badText).not.toContain(fake.token);
    expect(badText.length).toBeGreaterThan(100);
  });
});
