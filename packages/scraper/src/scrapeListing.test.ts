// Which listed songs are kept: a song listed first under an artist who is only featured
// on it and then under its primary artist, a real four-line song under 80 characters,
// and an artist that search does not find but that is pinned by id.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeArtist, FakeSong } from './test-utils/fakeGenius.js';
import { type FakeGenius, startFakeGenius } from './test-utils/fakeGenius.js';
import { readJsonl, runScrape, tempDir } from './test-utils/scrapeHarness.js';

const ARTISTS: FakeArtist[] = [
  { id: 101, name: 'Almendra' },
  { id: 102, name: 'Pescado Rabioso' },
  { id: 950, name: 'Almendra Tributo' },
];

const song = (
  id: number,
  title: string,
  primaryArtistId: number,
  lyrics: string,
  extra: Partial<FakeSong> = {},
) => ({ id, title, primaryArtistId, lyrics, expect: 'keep', ...extra }) satisfies FakeSong;

// Invented lyrics, distinct enough that none is a near-duplicate of another.
const SHARED = song(
  5001,
  'Canción Compartida',
  102,
  'Dos bandas cruzan la misma vereda\ncon guitarras de madera y sal\nuna canta lo que a la otra le queda\ny el verano se pone a bailar',
  { featuredArtistIds: [101] },
);
// A real four-line song of 75 characters.
const SHORT = song(
  5002,
  'Sol de Marzo',
  101,
  'Sol de marzo\nsobre el agua\nla ciudad ya se duerme\ny el río vuelve a empezar',
);
const ALMENDRA = song(
  5003,
  'Lámpara de Kerosene',
  101,
  'Una lámpara vieja alumbra el galpón\nlos grillos afinan su violín\nmi abuelo repara un gastado colchón\ny el patio se llena de jazmín',
);
const PESCADO = song(
  5004,
  'Anzuelo de Plata',
  102,
  'Tiro el anzuelo de plata en el lago\nlos peces se ríen de mí\nla tarde me cobra un extraño pago\nde nubes que no conocí',
);

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

describe('songs listed under several artists', () => {
  it('keeps a song listed first where the artist is only featured, then under its primary artist', async () => {
    fake = await startFakeGenius({ artists: ARTISTS, songs: [SHARED, SHORT, ALMENDRA, PESCADO] });
    const out = join(dir, 'c.jsonl');
    const run = await runScrape(fake, out, { artists: ['Almendra', 'Pescado Rabioso'] });
    expect(run.error).toBeUndefined();
    const ids = (await readJsonl(out)).map((r) => r.id);
    expect(ids).toContain(5001);
    expect(ids.sort()).toEqual([5001, 5002, 5003, 5004]);
    expect(run.summary!.skipped).toEqual({});
    expect(run.summary!.artists.map((a) => a.kept)).toEqual([2, 2]);
  });

  it('counts a song listed twice under primary-then-featured artists once, as duplicate-id', async () => {
    fake = await startFakeGenius({ artists: ARTISTS, songs: [SHARED, ALMENDRA, PESCADO] });
    const out = join(dir, 'c.jsonl');
    const run = await runScrape(fake, out, {
      artists: ['Pescado Rabioso', 'Almendra'],
      includeFeatured: true,
    });
    expect((await readJsonl(out)).map((r) => r.id).filter((id) => id === 5001)).toHaveLength(1);
    expect(run.summary!.skipped).toEqual({ 'duplicate-id': 1 });
  });
});

describe('songs listed twice and not saved', () => {
  it('count once, under the reason of the first listing, never as duplicate-id', async () => {
    const eco = song(5006, 'Eco', 102, 'Eco', { featuredArtistIds: [101] });
    fake = await startFakeGenius({ artists: ARTISTS, songs: [eco, ALMENDRA, PESCADO] });
    const run = await runScrape(fake, join(dir, 'c.jsonl'), {
      artists: ['Pescado Rabioso', 'Almendra'],
      includeFeatured: true,
    });
    expect(run.summary!.skipped).toEqual({ 'too-short': 1 });
  });
});

describe('short songs', () => {
  it('keeps a real four-line song of 75 characters with the default minWords', async () => {
    fake = await startFakeGenius({ artists: ARTISTS, songs: [SHORT, ALMENDRA] });
    const out = join(dir, 'c.jsonl');
    const run = await runScrape(fake, out, { artists: ['Almendra'] });
    expect(run.error).toBeUndefined();
    const saved = await readJsonl(out);
    expect(saved.find((r) => r.id === 5002)?.lyrics).toBe(SHORT.lyrics);
    expect(run.summary!.skipped['too-short']).toBeUndefined();
  });

  it('skips placeholders and one-word pages as too-short, saying why', async () => {
    const placeholder = song(
      5005,
      'Pronto',
      101,
      'Lyrics for this song have yet to be released. Please check back soon.',
    );
    const oneWord = song(5006, 'Eco', 101, 'Eco');
    fake = await startFakeGenius({ artists: ARTISTS, songs: [placeholder, oneWord, ALMENDRA] });
    const run = await runScrape(fake, join(dir, 'c.jsonl'), { artists: ['Almendra'] });
    expect(run.summary!.skipped).toEqual({ 'too-short': 2 });
    const messages = run.events.filter((e) => e.type === 'song-skipped').map((e) => e.message);
    expect(messages).toContain(
      'skipped "Eco" (too-short: 1 word on 1 line; a song needs 6 words on 2 lines)',
    );
  });
});

describe('artistIds', () => {
  // 61 songs by "Almendra Tributo" come first in the search for "Almendra", so the three
  // searched pages of 20 hits never reach the real Almendra.
  const decoys = Array.from({ length: 61 }, (_, i) =>
    song(7000 + i, `Homenaje ${i}`, 950, `homenaje número ${i}\notra línea más del homenaje`),
  );

  it('scrapes an artist that the search does not find when pinned by id', async () => {
    fake = await startFakeGenius({ artists: ARTISTS, songs: [...decoys, SHORT, ALMENDRA] });
    const byName = await runScrape(fake, join(dir, 'a.jsonl'), { artists: ['Almendra'] });
    expect(byName.summary!.artists[0]!.id).toBeNull();
    expect(byName.summary!.kept).toBe(0);

    const out = join(dir, 'b.jsonl');
    const before = fake.requests.length;
    const byId = await runScrape(fake, out, { artistIds: [101] });
    expect(byId.error).toBeUndefined();
    expect(byId.summary!.artists).toEqual([
      { name: 'Almendra', id: 101, skippedReason: null, listed: 2, kept: 2 },
    ]);
    expect((await readJsonl(out)).map((r) => r.artist)).toEqual(['Almendra', 'Almendra']);
    expect(fake.requests.slice(before).some((r) => r.path === '/search')).toBe(false);
  });

  it('skips an unknown id with a reason', async () => {
    fake = await startFakeGenius({ artists: ARTISTS, songs: [ALMENDRA] });
    const run = await runScrape(fake, join(dir, 'c.jsonl'), { artistIds: [4242, 101] });
    expect(run.error).toBeUndefined();
    expect(run.summary!.artists[0]).toMatchObject({ id: null, skippedReason: expect.stringMatching(/4242/) });
    expect(run.summary!.kept).toBe(1);
  });
});
