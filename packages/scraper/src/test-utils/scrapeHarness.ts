// Test helpers around scrape(): a temp dir, fast retry settings, and capture of every
// event, progress report and error so tests can check them (and check the token is absent).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusRecord } from '../corpusFile.js';
import type { Progress } from '../progress.js';
import { scrape } from '../scrape.js';
import type { ScrapeEvent, ScrapeOptions, ScrapeSummary } from '../types.js';
import type { FakeGenius } from './fakeGenius.js';

/** Options that keep tests fast: tiny backoff, short timeout, no rate cap to speak of. */
export const FAST: Partial<ScrapeOptions> = {
  concurrency: 3,
  requestsPerSecond: 1000,
  timeoutMs: 2000,
  maxRetries: 3,
  backoffMinMs: 5,
  backoffMaxMs: 30,
};

/** Everything one scrape produced. */
export interface RunResult {
  summary: ScrapeSummary | undefined;
  error: Error | undefined;
  events: ScrapeEvent[];
  progress: Progress[];
}

/** Run scrape() against the fake, collecting events, progress and the error if any. */
export async function runScrape(
  fake: FakeGenius,
  out: string,
  extra: Partial<ScrapeOptions> = {},
): Promise<RunResult> {
  const events: ScrapeEvent[] = [];
  const progress: Progress[] = [];
  try {
    const summary = await scrape({
      token: fake.token,
      apiUrl: fake.url,
      out,
      ...FAST,
      ...extra,
      onEvent: (e) => events.push(e),
      onProgress: (p) => progress.push(p),
    });
    return { summary, error: undefined, events, progress };
  } catch (error) {
    return { summary: undefined, error: error as Error, events, progress };
  }
}

/** A fresh temp dir and its cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'spinettai-scraper-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Records of a JSONL file. */
export async function readJsonl(path: string): Promise<CorpusRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CorpusRecord);
}

/** All text a run exposed: events, progress, summary, error (message, stack, causes) and every file in `dir`. */
export async function everythingVisible(run: RunResult, dir: string): Promise<string> {
  const parts = [
    JSON.stringify(run.events),
    JSON.stringify(run.progress),
    JSON.stringify(run.summary ?? null),
  ];
  let e: unknown = run.error;
  while (e instanceof Error) {
    parts.push(e.name, e.message, e.stack ?? '', JSON.stringify(e), String(e));
    e = e.cause;
  }
  for (const name of await readdir(dir, { recursive: true })) {
    parts.push(await readFile(join(dir, name), 'utf8').catch(() => ''));
  }
  return parts.join('\n');
}

/** The catalogue's lyrics with header lines and extra blank lines removed (expected cleaned text). */
export function withoutHeaders(lyrics: string): string {
  return lyrics
    .split('\n')
    .filter((l) => !l.startsWith('['))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
