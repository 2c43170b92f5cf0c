// `spinettai scrape` through the built binary against the fake Genius server on
// 127.0.0.1, with stderr piped (not a terminal): each event is printed once, the
// flags reach the run, the token is taken from a file or the environment and never
// shown, and the user's mistakes (a foreign --out file, a clear-text or non-http API
// URL) get one line that says what to do.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeGenius, startFakeGenius } from '@spinettai/scraper/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-scrape-'));
let genius: FakeGenius;

beforeAll(async () => {
  genius = await startFakeGenius();
});
afterAll(async () => {
  await genius.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI with piped stdio (the fake server lives in this process, so no spawnSync). */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: { ...process.env, GENIUS_ACCESS_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const scrapeArgs = (out: string, ...more: string[]) => [
  'scrape',
  '--api-url',
  genius.url,
  '--out',
  out,
  '--rps',
  '200',
  ...more,
];
const lines = (text: string, pattern: RegExp) => text.split('\n').filter((l) => pattern.test(l));

describe('spinettai scrape', () => {
  it('prints each saved/skipped line once when stderr is not a terminal', async () => {
    const out = join(work, 'once.jsonl');
    const r = await cli(scrapeArgs(out, '--artist', 'Almendra'), { GENIUS_ACCESS_TOKEN: genius.token });
    expect(r.code, r.stderr).toBe(0);
    const saved = lines(r.stderr, /^saved "/);
    expect(saved).toHaveLength(3); // Almendra's three kept songs
    expect(new Set(saved).size).toBe(saved.length);
    const skipped = lines(r.stderr, /^skipped "/);
    expect(skipped.length).toBeGreaterThan(5);
    expect(new Set(skipped).size).toBe(skipped.length);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('reads the token from --token-file and never shows it', async () => {
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, `${genius.token}\n`, { mode: 0o600 });
    const r = await cli(
      scrapeArgs(join(work, 'file.jsonl'), '--artist', 'Almendra', '--token-file', tokenFile),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kept 3 songs/);
    expect(r.stdout + r.stderr).not.toContain(genius.token);
  });

  it('passes --min-words, --artist-id and --max-page-bytes to the run', async () => {
    // Pescado Rabioso (id 102) by id only; "Motor de Hierro" has 35 words, "Pez de Vidrio" 47.
    const r = await cli(scrapeArgs(join(work, 'flags.jsonl'), '--artist-id', '102', '--min-words', '40'), {
      GENIUS_ACCESS_TOKEN: genius.token,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Pescado Rabioso → Genius artist 102/);
    expect(r.stdout).toMatch(/kept 1 songs/);
    expect(r.stdout).toMatch(/too-short: 1/);

    const capped = await cli(
      scrapeArgs(join(work, 'capped.jsonl'), '--artist-id', '102', '--max-page-bytes', '2000000000'),
      { GENIUS_ACCESS_TOKEN: genius.token },
    );
    expect(capped.stdout).toMatch(/kept 2 songs/);
  });

  it('says to prefer the environment variable or a token file over --token', async () => {
    const r = await cli(['scrape', '--help']);
    expect(r.stdout).toMatch(/--token-file <path>/);
    expect(r.stdout).toMatch(/--token <token>[\s\S]*ps[\s\S]*prefer \$GENIUS_ACCESS_TOKEN or\s+--token-file/);
    expect(r.stdout).toMatch(/--artist-id <id>/);
    expect(r.stdout).toMatch(/--min-words <n>[\s\S]*\(default: 6\)/);
    expect(r.stdout).toMatch(/--max-page-bytes <n>[\s\S]*\(default: 5242880\)/);
  });

  it('refuses an --out file it did not write, naming it, and leaves it alone', async () => {
    const corpus = join(work, 'hand-written.jsonl');
    const text =
      '{"id":1,"title":"Mía","artist":"Yo","album":null,"releaseDate":null,"url":null,"lyrics":"una\\ndos"}\n';
    writeFileSync(corpus, text);
    const r = await cli(scrapeArgs(corpus, '--artist', 'Almendra'), { GENIUS_ACCESS_TOKEN: genius.token });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(corpus);
    expect(r.stderr).toMatch(/not written by the scraper/);
    expect(r.stderr).not.toMatch(/bug/);
    expect(readFileSync(corpus, 'utf8')).toBe(text);
  });

  it.each([
    ['ftp://127.0.0.1/', /--api-url\) must be an https:\/\/ URL.*Fix the flag/],
    ['http://api.genius.com', /clear text/],
  ])('refuses --api-url %s with one line saying what to do', async (apiUrl, message) => {
    const r = await cli(['scrape', '--api-url', apiUrl, '--out', join(work, 'x.jsonl')], {
      GENIUS_ACCESS_TOKEN: 'secret-token-123',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/retried|resume/);
    expect(r.stderr).not.toContain('secret-token-123');
  });

  it('after retries run out, says what happened and to run the same command again later', async () => {
    const flaky = await startFakeGenius({ faults: [{ match: 'search', kind: 'server-error', times: 99 }] });
    try {
      const r = await cli(
        [
          'scrape',
          '--api-url',
          flaky.url,
          '--out',
          join(work, 'flaky.jsonl'),
          '--retries',
          '1',
          '--artist',
          'Almendra',
        ],
        { GENIUS_ACCESS_TOKEN: flaky.token },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Gave up on .*\/search after 2 attempts: Genius answered HTTP 500/);
      expect(r.stderr).toMatch(/run the same command again later to resume/i);
      expect(r.stderr).not.toMatch(/It is retried/);
    } finally {
      await flaky.close();
    }
  });
});
