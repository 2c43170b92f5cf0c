// `spinettai scrape`: download an artist's lyrics from Genius into a JSONL corpus.
import { DEFAULT_ARTISTS, scrape } from '@spinettai/scraper';
import { type Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { abortOnInterrupt } from '../interrupt.js';
import { collect, nonNegativeInt, positiveInt, positiveNumber } from '../options.js';
import { createProgress } from '../ui/progress.js';

interface ScrapeFlags {
  artist?: string[];
  token?: string;
  apiUrl: string;
  out: string;
  json?: string;
  featured: boolean;
  sectionHeaders: 'remove' | 'keep' | 'markers';
  minLength: number;
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
      `artist to scrape (repeatable; default: ${DEFAULT_ARTISTS.join(', ')})`,
      collect,
    )
    .option(
      '--token <token>',
      'Genius API access token (default: $GENIUS_ACCESS_TOKEN); never printed or saved',
    )
    .option('--api-url <url>', 'Genius API base URL', 'https://api.genius.com')
    .requiredOption('--out <file>', 'corpus to write (JSONL, one song per line); an existing file is resumed')
    .option('--json <file>', 'also write a {title: lyrics} JSON file')
    .option('--featured', 'also keep songs where the artist is only featured', false)
    .addOption(
      new Option('--section-headers <mode>', 'what to do with [Verso 1] / [Coro] lines')
        .choices(['remove', 'keep', 'markers'])
        .default('remove'),
    )
    .option('--min-length <chars>', 'drop songs with fewer characters of lyrics', nonNegativeInt, 80)
    .option('--concurrency <n>', 'parallel requests', positiveInt, 4)
    .option('--rps <n>', 'maximum requests per second', positiveNumber, 4)
    .option('--timeout <ms>', 'per-request timeout in milliseconds', positiveInt, 20_000)
    .option('--retries <n>', 'retries for 429, 5xx and timeouts', nonNegativeInt, 5)
    .addHelpText(
      'after',
      '\nGet a token at https://genius.com/api-clients ("Generate Access Token"), then:\n  export GENIUS_ACCESS_TOKEN=...\n  spinettai scrape --artist "Almendra" --out corpus.jsonl',
    )
    .action(async (flags: ScrapeFlags) => {
      const token = flags.token ?? process.env['GENIUS_ACCESS_TOKEN'];
      if (!token) {
        throw new UserError(
          'no Genius token: set GENIUS_ACCESS_TOKEN or pass --token (get one at https://genius.com/api-clients)',
        );
      }
      const interrupt = abortOnInterrupt();
      let progress: ReturnType<typeof createProgress> | undefined;
      try {
        const summary = await scrape({
          token,
          artists: flags.artist ?? [...DEFAULT_ARTISTS],
          out: flags.out,
          apiUrl: flags.apiUrl,
          seedJsonOut: flags.json,
          includeFeatured: flags.featured,
          sectionHeaders: flags.sectionHeaders,
          minLength: flags.minLength,
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
          onEvent: (e) => progress?.log(e.message) ?? process.stderr.write(`${e.message}\n`),
        });
        progress?.stop();
        process.stdout.write(`${formatSummary(summary)}\n`);
      } finally {
        progress?.stop();
        interrupt.dispose();
      }
    });
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
