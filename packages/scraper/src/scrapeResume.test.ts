// Interrupted runs resume to exactly the file an uninterrupted run writes: after a
// partial last line, after an AbortSignal, and after SIGKILL of a child process that
// runs the built package (dist/ is rebuilt first when older than src/).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markCorpusFile } from './corpusFile.js';
import { CorpusFileError, ScrapeAbortedError } from './errors.js';
import { scrape } from './scrape.js';
import { type FakeGenius, startFakeGenius } from './test-utils/fakeGenius.js';
import { FAST, readJsonl, runScrape, tempDir } from './test-utils/scrapeHarness.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(PKG, 'dist', 'index.js');

let fake: FakeGenius;
let dir: string;
let cleanup: () => Promise<void>;
let baseline: string; // bytes of an uninterrupted run's JSONL

const pagesFetched = (from: number) =>
  fake.requests
    .slice(from)
    .filter((r) => r.path.endsWith('-lyrics'))
    .map((r) => r.path);

beforeAll(async () => {
  fake = await startFakeGenius({ pageLatencyMs: 100 });
  ({ dir, cleanup } = await tempDir());
  const out = join(dir, 'baseline.jsonl');
  const run = await runScrape(fake, out);
  expect(run.error).toBeUndefined();
  baseline = await readFile(out, 'utf8');
  expect(baseline.split('\n').filter(Boolean)).toHaveLength(7);
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe('resume', () => {
  it('cuts a partial last line, keeps saved songs and does not download them again', async () => {
    const out = join(dir, 'partial.jsonl');
    const lines = baseline.split('\n');
    const partial = `${lines[0]}\n${lines[1]}\n${lines[2]!.slice(0, 40)}`;
    await writeFile(out, partial);
    await markCorpusFile(out);
    const before = fake.requests.length;
    const run = await runScrape(fake, out);
    expect(run.summary!.truncatedBytes).toBe(40);
    expect(run.summary!.alreadySaved).toBe(2);
    expect(run.summary!.kept).toBe(5);
    expect(await readFile(out, 'utf8')).toBe(baseline);
    const savedIds = [JSON.parse(lines[0]!).id, JSON.parse(lines[1]!).id] as number[];
    for (const id of savedIds) expect(pagesFetched(before)).not.toContain(new URL(fake.songUrl(id)).pathname);
  });

  it('an AbortSignal stops the run with whole lines only; running again completes it', async () => {
    const out = join(dir, 'aborted.jsonl');
    const controller = new AbortController();
    const err = await scrape({
      token: fake.token,
      apiUrl: fake.url,
      out,
      ...FAST,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'song-saved') controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScrapeAbortedError);
    const partial = await readFile(out, 'utf8');
    expect(partial.endsWith('\n')).toBe(true);
    expect(baseline.startsWith(partial)).toBe(true);
    expect(partial.split('\n').filter(Boolean).length).toBeLessThan(7);
    await runScrape(fake, out);
    expect(await readFile(out, 'utf8')).toBe(baseline);
  });

  it('refuses a corrupt line in the middle with its line number', async () => {
    const out = join(dir, 'corrupt.jsonl');
    await writeFile(out, `${baseline.split('\n')[0]}\n{not json\n${baseline.split('\n')[1]}\n`);
    await markCorpusFile(out);
    const run = await runScrape(fake, out);
    expect(run.error).toBeInstanceOf(CorpusFileError);
    expect(run.error!.message).toContain('line 2');
  });
});

describe('SIGKILL mid-scrape', () => {
  beforeAll(() => {
    ensureBuilt();
  });

  it('resumes to exactly the songs of an uninterrupted run', async () => {
    const out = join(dir, 'killed.jsonl');
    const script = join(dir, 'child.mjs');
    await writeFile(
      script,
      `import { scrape } from ${JSON.stringify(pathToFileURL(DIST).href)};
const [apiUrl, out] = process.argv.slice(2);
await scrape({
  token: process.env.GENIUS_ACCESS_TOKEN, apiUrl, out, concurrency: 2, requestsPerSecond: 1000,
  backoffMinMs: 5, backoffMaxMs: 30,
  onEvent: (e) => { if (e.type === 'song-saved') process.stdout.write('saved ' + e.id + '\\n'); },
});
process.stdout.write('finished\\n');
`,
    );
    const child = spawn(process.execPath, [script, fake.url, out], {
      env: { ...process.env, GENIUS_ACCESS_TOKEN: fake.token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if ((stdout.match(/^saved /gm) ?? []).length >= 2) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited before the kill: ${stdout}\n${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    expect(stdout).not.toContain('finished');

    const partial = await readFile(out, 'utf8');
    const savedBefore = partial.split('\n').filter(Boolean).length;
    expect(savedBefore).toBeGreaterThanOrEqual(2);
    expect(savedBefore).toBeLessThan(7);

    const before = fake.requests.length;
    const run = await runScrape(fake, out);
    expect(run.summary!.alreadySaved).toBe(savedBefore);
    expect(await readFile(out, 'utf8')).toBe(baseline);
    const savedIds = (await readJsonl(out)).slice(0, savedBefore).map((r) => r.id as number);
    for (const id of savedIds) expect(pagesFetched(before)).not.toContain(new URL(fake.songUrl(id)).pathname);
  });
});

/** Build packages/scraper/dist when it is missing or older than a library source file. */
function ensureBuilt(): void {
  const srcDir = join(PKG, 'src');
  const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('test-utils'),
  );
  const newest = Math.max(...sources.map((f) => statSync(join(srcDir, f)).mtimeMs));
  const built = existsSync(DIST) ? statSync(DIST).mtimeMs : -1;
  if (built >= newest) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(PKG, 'tsconfig.build.json')], { stdio: 'inherit' });
}
