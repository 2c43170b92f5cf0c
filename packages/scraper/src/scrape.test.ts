// scrape() end to end over HTTP against the fake Genius server: what is kept, what is
// skipped and why, pagination, headers, metadata, seed JSON and progress.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScraperOptionsError } from './errors.js';
import { scrape } from './scrape.js';
import { FAKE_SONGS } from './test-utils/fakeCatalog.js';
import { type FakeGenius, startFakeGenius } from './test-utils/fakeGenius.js';
import { readJsonl, runScrape, tempDir, withoutHeaders } from './test-utils/scrapeHarness.js';

let fake: FakeGenius;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  fake = await startFakeGenius();
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await fake.close();
  await cleanup();
});

const KEPT = [1001, 1004, 1007, 2001, 2002, 3001, 3002];

describe('scrape (default artists)', () => {
  it('keeps exactly the real songs of the right artists, cleaned, with metadata', async () => {
    const out = join(dir, 'corpus.jsonl');
    const seed = join(dir, 'seed.json');
    const run = await runScrape(fake, out, { seedJsonOut: seed });
    expect(run.error).toBeUndefined();
    const records = await readJsonl(out);
    expect(records.map((r) => r.id)).toEqual(KEPT);
    for (const r of records) {
      const song = FAKE_SONGS.find((s) => s.id === r.id)!;
      expect(r.lyrics).toBe(withoutHeaders(song.lyrics!));
      expect(r.title).toBe(song.title);
      expect(r.album).toBe(song.album ?? null);
      expect(r.releaseDate).toBe(song.releaseDate ?? null);
      expect(r.url).toBe(fake.songUrl(song.id));
      expect(Object.keys(r).sort()).toEqual([
        'album',
        'artist',
        'id',
        'lyrics',
        'releaseDate',
        'title',
        'url',
      ]);
    }
    expect(records.find((r) => r.id === 3001)!.artist).toBe('Luis Alberto Spinetta');

    const s = run.summary!;
    expect(s.kept).toBe(7);
    expect(s.totalInFile).toBe(7);
    expect(s.skipped).toEqual({
      'duplicate-title': 1,
      'title-live': 1,
      translation: 1,
      tracklist: 1,
      'duplicate-lyrics': 1,
      'instrumental-only': 1,
      'no-lyrics': 1,
      'too-short': 1,
      'featured-only': 1,
      'title-remix': 1,
      'title-karaoke': 1,
      'title-bandas-eternas': 1,
      'lyrics-unreleased': 1,
      'title-instrumental': 1,
    });
    // The catalogue's own expectations agree with the summary.
    for (const song of FAKE_SONGS.filter((x) => x.expect !== 'keep' && x.expect !== 'wrong-artist')) {
      expect(s.skipped[song.expect as keyof typeof s.skipped], song.title).toBeGreaterThan(0);
    }
    const byName = Object.fromEntries(s.artists.map((a) => [a.name, a]));
    expect(byName['Almendra']).toMatchObject({ id: 101, kept: 3, listed: 16 });
    expect(byName['Invisible']!.id).toBeNull();
    expect(byName['Invisible']!.skippedReason).toContain('Invisible Kids');
    expect(byName['Spinetta Jade']!.skippedReason).toContain('no songs');
    expect(
      run.events
        .filter((e) => e.type === 'artist-skipped')
        .map((e) => e.type === 'artist-skipped' && e.artist),
    ).toEqual(['Invisible', 'Spinetta Jade', 'Spinetta y los Socios del Desierto']);

    // Seed JSON: {title: lyrics} of the whole file.
    const seedJson = JSON.parse(await readFile(seed, 'utf8')) as Record<string, string>;
    expect(seedJson).toEqual(Object.fromEntries(records.map((r) => [r.title, r.lyrics])));

    // Progress reaches done === total with an ETA once downloads started.
    const last = run.progress.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(run.progress.some((p) => typeof p.etaSeconds === 'number')).toBe(true);
  });

  it('paginates by next_page, sends token and User-Agent to the API only, skips pages it need not fetch', async () => {
    await runScrape(fake, join(dir, 'c.jsonl'), { artists: ['Almendra'], userAgent: 'spinettai-test/9' });
    const listing = fake.requests
      .filter((r) => r.path === '/artists/101/songs')
      .map((r) => Number(r.query['page']));
    expect(listing).toEqual([1, 2, 3, 4, 5, 6]); // 16 songs, 3 per page
    for (const r of fake.requests) {
      expect(r.userAgent).toBe('spinettai-test/9');
      const isPage = r.path.endsWith('-lyrics');
      expect(r.authorization).toBe(isPage ? undefined : `Bearer ${fake.token}`);
    }
    const pages = fake.requests.filter((r) => r.path.endsWith('-lyrics')).map((r) => r.path);
    expect(pages.some((p) => /en-vivo|remix|karaoke|tracklist|traduccion|fiesta/.test(p))).toBe(false);
    expect(pages).toContain(new URL(fake.songUrl(1001)).pathname);
  });

  it('matches artist names case- and accent-insensitively and never takes a decoy', async () => {
    const out = join(dir, 'c.jsonl');
    const run = await runScrape(fake, out, { artists: ['PESCADO RABIÓSO', 'almendra'] });
    expect(run.summary!.artists.map((a) => a.id)).toEqual([102, 101]);
    const records = await readJsonl(out);
    expect(records.every((r) => r.artist === 'Pescado Rabioso' || r.artist === 'Almendra')).toBe(true);
    expect(fake.requests.some((r) => r.path === '/artists/903/songs')).toBe(false);
  });

  it('keeps featured songs and turns headers into markers when asked', async () => {
    const out = join(dir, 'c.jsonl');
    const run = await runScrape(fake, out, {
      artists: ['Almendra'],
      includeFeatured: true,
      sectionHeaders: 'markers',
    });
    const records = await readJsonl(out);
    const fiesta = records.find((r) => r.id === 1012)!;
    expect(fiesta.artist).toBe('Orquesta del Viento Sur');
    expect(fiesta.lyrics.startsWith('[verso]\nSomos muchos')).toBe(true);
    expect(records.find((r) => r.id === 1001)!.lyrics).toContain('[coro]\nBarco de nube, llevame lejos');
    expect(run.summary!.skipped['featured-only']).toBeUndefined();
    expect(run.summary!.skipped['translation']).toBe(1);
  });

  it('applies minWords', async () => {
    const run = await runScrape(fake, join(dir, 'c.jsonl'), { artists: ['Pescado Rabioso'], minWords: 40 });
    expect(run.summary!.kept).toBe(1); // "Pez de Vidrio" has 47 words, "Motor de Hierro" 35 (counted by hand)
    expect(run.summary!.skipped['too-short']).toBe(1);
  });

  it('rejects bad options with a clear error before any request', async () => {
    await expect(scrape({ token: '', out: join(dir, 'x.jsonl') })).rejects.toThrow(/GENIUS_ACCESS_TOKEN/);
    await expect(scrape({ token: 't', out: join(dir, 'x.jsonl'), concurrency: 0 })).rejects.toBeInstanceOf(
      ScraperOptionsError,
    );
    expect(fake.requests).toHaveLength(0);
  });
});
