// One hostile page must not end a scrape: a page nested 100,000 elements deep (which
// overflowed cheerio's recursion) and an endless 400 MB page (which ran out of heap) are
// skipped with a reason, and the big one is cut off near the cap. Also the API URL checks
// that keep the token from travelling in clear text, and unknown option keys.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScraperError, ScraperOptionsError } from './errors.js';
import { isLoopback, scrape } from './scrape.js';
import { type FakeGenius, startFakeGenius } from './test-utils/fakeGenius.js';
import { readJsonl, runScrape, tempDir } from './test-utils/scrapeHarness.js';

let fake: FakeGenius;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await fake?.close();
  await cleanup();
});

const pathOf = (id: number) => new URL(fake.songUrl(id)).pathname;

describe('hostile song pages', () => {
  it('skips a 100,000-deep page and a 400 MB page with reasons, and the scrape goes on', async () => {
    fake = await startFakeGenius();
    const [deep, huge] = [pathOf(1001), pathOf(1004)];
    await fake.close();
    fake = await startFakeGenius({
      faults: [
        { match: new RegExp(`^${deep}$`), kind: 'deep-page', times: Number.POSITIVE_INFINITY },
        { match: new RegExp(`^${huge}$`), kind: 'huge-page', times: Number.POSITIVE_INFINITY },
      ],
    });
    const out = join(dir, 'c.jsonl');
    // Default maxPageBytes (5 MB); a long timeout, so that a slow machine cannot turn the cut into a timeout.
    const run = await runScrape(fake, out, { artists: ['Almendra'], timeoutMs: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.summary!.skipped['page-too-deep']).toBe(1);
    expect(run.summary!.skipped['page-too-large']).toBe(1);
    const ids = (await readJsonl(out)).map((r) => r.id);
    expect(ids).not.toContain(1001);
    expect(ids).not.toContain(1004);
    expect(ids).toContain(1007);
    const messages = run.events.filter((e) => e.type === 'song-skipped').map((e) => e.message);
    expect(messages.some((m) => /page-too-deep: the page nests elements more than 500 deep/.test(m))).toBe(
      true,
    );
    expect(messages.some((m) => /page-too-large: .*larger than 5242880 bytes/.test(m))).toBe(true);

    // The huge page was downloaded once (not retried) and cut off near the cap, not at 400 MB.
    const hugeRequests = fake.requests.filter((r) => r.path === huge);
    expect(hugeRequests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200)); // let the server notice the closed socket
    expect(hugeRequests[0]!.bytesSent).toBeLessThan(40 * 1024 * 1024);

    // A second run (resume) meets the same pages and finishes again.
    const again = await runScrape(fake, out, { artists: ['Almendra'], timeoutMs: 30_000 });
    expect(again.error).toBeUndefined();
    expect(again.summary!.skipped['page-too-large']).toBe(1);
  });

  it('honours maxPageBytes', async () => {
    fake = await startFakeGenius();
    const big = pathOf(1007);
    await fake.close();
    const faults = [
      { match: new RegExp(`^${big}$`), kind: 'huge-page' as const, bytes: 2_000_000, times: 9 },
    ];
    fake = await startFakeGenius({ faults });
    const capped = await runScrape(fake, join(dir, 'a.jsonl'), {
      artists: ['Almendra'],
      maxPageBytes: 1_000_000,
      timeoutMs: 30_000,
    });
    expect(capped.summary!.skipped['page-too-large']).toBe(1);
    const uncapped = await runScrape(fake, join(dir, 'b.jsonl'), {
      artists: ['Almendra'],
      timeoutMs: 30_000,
    });
    expect(uncapped.error).toBeUndefined();
    expect(uncapped.summary!.skipped['page-too-large']).toBeUndefined();
  });
});

describe('the API URL', () => {
  it('refuses a scheme other than http(s) with advice to fix the flag, before any request', async () => {
    const err = await scrape({
      token: 'secret-token',
      out: join(dir, 'c.jsonl'),
      apiUrl: 'ftp://127.0.0.1/',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScraperOptionsError);
    expect((err as Error).message).toMatch(/--api-url.*https/);
    expect((err as Error).message).not.toMatch(/retried|resume/);
  });

  it('refuses plain http to a host that is not this machine (the token would go in clear text)', async () => {
    for (const apiUrl of ['http://api.genius.com', 'http://10.0.0.1:8080', 'http://[2001:db8::1]/']) {
      const err = await scrape({ token: 'secret-token', out: join(dir, 'c.jsonl'), apiUrl }).catch(
        (e: unknown) => e,
      );
      expect(err, apiUrl).toBeInstanceOf(ScraperOptionsError);
      expect((err as Error).message).toMatch(/clear text/);
      expect((err as Error).message).not.toContain('secret-token');
    }
  });

  it('knows the loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', 'localhost', 'LOCALHOST'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of [
      '128.0.0.1',
      '10.0.0.1',
      '[::2]',
      'localhost.evil.com',
      '127.0.0.1.evil.com',
      'genius.com',
    ])
      expect(isLoopback(host), host).toBe(false);
  });
});

describe('options', () => {
  it('rejects unknown keys, naming them', async () => {
    const err = await scrape({ token: 't', out: join(dir, 'c.jsonl'), minLength: 80 } as never).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScraperOptionsError);
    expect(err).toBeInstanceOf(ScraperError);
    expect((err as Error).message).toMatch(/unknown option 'minLength'/);
  });
});
