// `spinettai scrape`: download an artist's lyrics from Genius into a JSONL corpus.
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_API_URL,
  DEFAULT_ARTISTS,
  DEFAULT_MAX_PAGE_BYTES,
  DEFAULT_MIN_WORDS,
  scrape,
} from '@spinettai/scraper';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../errors.js';
import { abortOnInterrupt } from '../interrupt.js';
import { collect, nonNegativeInt, positiveInt, positiveNumber } from '../options.js';
import { createProgress } from '../ui/progress.js';

interface ScrapeFlags {
  artist?: string[];
  artistId?: number[];
  token?: string;
  tokenFile?: string;
  apiUrl: string;
  out: string;
  json?: string;
  featured: boolean;
  sectionHeaders: 'remove' | 'keep' | 'markers';
  minWords: number;
  maxPageBytes: number;
  concurrency: number;
  rps: number;
  timeout: number;
  retries: number;
}

export function registerScrape(program: Command): void {
  program
    .command('scrape')
    .description('Download lyrics from the Genius API with your own token and write a cleaned JSONL corpus.')
    .option(
      '--artist <name>',
      `artist to scrape (repeatable; default, unless --artist-id is given: ${DEFAULT_ARTISTS.join(', ')})`,
      collect,
    )
    .option(
      '--artist-id <id>',
      'Genius artist id to scrape without searching (repeatable), for an artist the search does not find',
      collectArtistId,
    )
    .option(
      '--token-file <path>',
      'read the Genius API access token from this file (or set $GENIUS_ACCESS_TOKEN)',
    )
    .option(
      '--token <token>',
      'Genius API access token; visible to other users in `ps`: prefer $GENIUS_ACCESS_TOKEN or --token-file',
    )
    .option(
      '--api-url <url>',
      'Genius API base URL (https; plain http only to 127.0.0.1, ::1 or localhost)',
      DEFAULT_API_URL,
    )
    .requiredOption(
      '--out <file>',
      'corpus to write (JSONL, one song per line); a corpus this command wrote is resumed, any other file refused',
    )
    .option('--json <file>', 'also write a {title: lyrics} JSON file')
    .option('--featured', 'also keep songs where the artist is only featured', false)
    .addOption(
      new Option('--section-headers <mode>', 'what to do with [Verso 1] / [Coro] lines')
        .choices(['remove', 'keep', 'markers'])
        .default('remove'),
    )
    .option(
      '--min-words <n>',
      'skip pages with fewer words (or a single line): empty pages, placeholders; 0 keeps all',
      nonNegativeInt,
      DEFAULT_MIN_WORDS,
    )
    .option(
      '--max-page-bytes <n>',
      'skip a page (or stop on an API answer) larger than this many bytes',
      positiveInt,
      DEFAULT_MAX_PAGE_BYTES,
    )
    .option('--concurrency <n>', 'parallel requests', positiveInt, 4)
    .option('--rps <n>', 'maximum requests per second', positiveNumber, 4)
    .option('--timeout <ms>', 'per-request timeout in milliseconds', positiveInt, 20_000)
    .option('--retries <n>', 'retries for 429, 5xx and timeouts', nonNegativeInt, 5)
    .addHelpText(
      'after',
      '\nGet a token at https://genius.com/api-clients ("Generate Access Token"), then either:\n' +
        '  export GENIUS_ACCESS_TOKEN=...\n' +
        '  spinettai scrape --artist "Almendra" --out scraped/almendra.jsonl\n' +
        'or keep it in a file only you can read:\n' +
        '  spinettai scrape --token-file ~/.genius-token --artist "Almendra" --out scraped/almendra.jsonl\n' +
        'Avoid --token: other users of the machine can see it in `ps`.',
    )
    .action(async (flags: ScrapeFlags) => {
      const token = await readToken(flags);
      const interrupt = abortOnInterrupt();
      let progress: ReturnType<typeof createProgress> | undefined;
      try {
        const summary = await scrape({
          token,
          ...(flags.artist ? { artists: flags.artist } : {}),
          ...(flags.artistId ? { artistIds: flags.artistId } : {}),
          out: flags.out,
          apiUrl: flags.apiUrl,
          seedJsonOut: flags.json,
          includeFeatured: flags.featured,
          sectionHeaders: flags.sectionHeaders,
          minWords: flags.minWords,
          maxPageBytes: flags.maxPageBytes,
          concurrency: flags.concurrency,
          requestsPerSecond: flags.rps,
          timeoutMs: flags.timeout,
          maxRetries: flags.retries,
          signal: interrupt.signal,
          onProgress: (p) => {
            progress ??= createProgress({
              label: 'scrape',
              total: p.total,
              unit: 'songs',
              describe: (f) => String(f['title'] ?? ''),
            });
            progress.update(p.done, {
              title: p.title ?? '',
              ...(p.etaSeconds !== undefined ? { etaSec: p.etaSeconds } : {}),
            });
          },
          onEvent: (e) => {
            if (progress) progress.log(e.message);
            else process.stderr.write(`${e.message}\n`);
          },
        });
        progress?.stop();
        process.stdout.write(`${formatSummary(summary)}\n`);
      } finally {
        progress?.stop();
        interrupt.dispose();
      }
    });
}

/** A repeatable positive whole number. */
function collectArtistId(value: string, previous: number[] | undefined): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a Genius artist id (a whole number >= 1), got '${value}'.`);
  return [...(previous ?? []), n];
}

/** The token from --token, --token-file or $GENIUS_ACCESS_TOKEN, in that order; never echoed. */
async function readToken(flags: ScrapeFlags): Promise<string> {
  if (flags.token !== undefined && flags.tokenFile !== undefined)
    throw new UserError('give the Genius token once: --token or --token-file, not both');
  if (flags.tokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.tokenFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new UserError(`cannot read the token file ${flags.tokenFile} (${code}); check --token-file`);
    }
    const token = text.trim();
    if (token === '' || /\s/.test(token))
      throw new UserError(
        `the token file ${flags.tokenFile} must hold just the Genius access token, on one line`,
      );
    return token;
  }
  const token = flags.token ?? process.env['GENIUS_ACCESS_TOKEN'];
  if (!token) {
    throw new UserError(
      'no Genius token: set GENIUS_ACCESS_TOKEN or pass --token-file (get one at https://genius.com/api-clients)',
    );
  }
  return token;
}

function formatSummary(s: { kept: number; skipped: Record<string, number>; out?: string }): string {
  const skipped = Object.entries(s.skipped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `  ${reason}: ${n}`);
  return [
    `kept ${s.kept} songs${s.out ? ` in ${s.out}` : ''}`,
    ...(skipped.length ? ['skipped:', ...skipped] : []),
  ].join('\n');
}
