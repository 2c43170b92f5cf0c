// `spinettai tokenize`: train a BPE tokenizer on a corpus (or reuse one) and write the dataset.
import type { TokenizeProgress } from '@spinettai/tokenizer';
import { tokenizeCorpus } from '@spinettai/tokenizer/node';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { nonNegativeInt, positiveInt } from '../options.js';
import { createProgress, type Progress } from '../ui/progress.js';

interface TokenizeFlags {
  corpus: string;
  out: string;
  tokenizer?: string;
  condition?: 'artist';
  vocabSize?: number;
  minFrequency?: number;
  valFraction: number;
  seed: number;
  overwrite: boolean;
}

const DEFAULT_VOCAB_SIZE = 2048;
const DEFAULT_MIN_FREQUENCY = 2;

/** A fraction in (0, 1): validation needs at least one song, training the rest. */
function openFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InvalidArgumentError(`expected a number in (0, 1), got '${value}'.`);
  }
  return n;
}

const PHASES: Record<TokenizeProgress['phase'], { label: string; unit: string }> = {
  count: { label: 'reading ', unit: 'songs' },
  merge: { label: 'merging ', unit: 'merges' },
  encode: { label: 'encoding', unit: 'chars' },
};

/**
 * Progress on stderr, per phase, once a phase has run for a second (quick runs stay quiet);
 * SPINETTAI_PROGRESS_AFTER_MS changes the delay (0: always).
 */
function progressReporter(): { report: (p: TokenizeProgress) => void; stop: () => void } {
  const after = Number(process.env['SPINETTAI_PROGRESS_AFTER_MS'] ?? 1000);
  let phase: TokenizeProgress['phase'] | undefined;
  let started = 0;
  let bar: Progress | undefined;
  return {
    report(p) {
      if (p.phase !== phase) {
        bar?.stop();
        bar = undefined;
        phase = p.phase;
        started = Date.now();
      }
      if (bar === undefined && Date.now() - started >= after) {
        const total = Number.isFinite(p.total) ? p.total : 0;
        bar = createProgress({ ...PHASES[p.phase], total, describe: () => p.phase, plainEverySec: 5 });
      }
      bar?.update(p.done);
    },
    stop() {
      bar?.stop();
    },
  };
}

export function registerTokenize(program: Command): void {
  program
    .command('tokenize')
    .description(
      'Train a byte-level BPE tokenizer on a corpus (or reuse one with --tokenizer) and write tokenizer.json, train.bin, val.bin and meta.json.',
    )
    .requiredOption('--corpus <file>', 'corpus: .jsonl (scraper output), .json ({title: lyrics}) or .txt')
    .requiredOption('--out <dir>', 'data folder to write (new or empty)')
    .option(
      '--overwrite',
      'replace an earlier data folder in --out (never a folder spinettai did not write)',
      false,
    )
    .option(
      '--tokenizer <path>',
      'reuse this tokenizer instead of training one: a folder with tokenizer.json (+ tokenizer_config.json) or vocab.json + merges.txt, or a tokenizer.json file; songs are separated by its eos_token',
    )
    .addOption(
      new Option(
        '--condition <kind>',
        'artist: add a special token <|artist:NAME|> per artist and start each song with it (needs a .jsonl corpus with artists)',
      ).choices(['artist']),
    )
    .option(
      '--vocab-size <n>',
      `vocabulary size of a trained tokenizer, including 256 byte tokens and 2 special tokens (default: ${DEFAULT_VOCAB_SIZE})`,
      positiveInt,
    )
    .option(
      '--min-frequency <n>',
      `minimum count of a pair to be merged (default: ${DEFAULT_MIN_FREQUENCY})`,
      positiveInt,
    )
    .option('--val-fraction <f>', 'fraction of songs held out for validation, in (0, 1)', openFraction, 0.1)
    .option('--seed <n>', 'seed of the train/validation split', nonNegativeInt, 1337)
    .action(async (flags: TokenizeFlags) => {
      const reuse = flags.tokenizer !== undefined;
      if (reuse && (flags.vocabSize !== undefined || flags.minFrequency !== undefined)) {
        program.error(
          'error: --vocab-size and --min-frequency apply to a trained tokenizer; leave them out with --tokenizer.',
          { exitCode: 2 },
        );
      }
      const progress = progressReporter();
      let result: Awaited<ReturnType<typeof tokenizeCorpus>>;
      try {
        result = await tokenizeCorpus({
          corpusPath: flags.corpus,
          outDir: flags.out,
          ...(reuse
            ? { tokenizer: flags.tokenizer }
            : {
                vocabSize: flags.vocabSize ?? DEFAULT_VOCAB_SIZE,
                minFrequency: flags.minFrequency ?? DEFAULT_MIN_FREQUENCY,
              }),
          condition: flags.condition,
          valFraction: flags.valFraction,
          seed: flags.seed,
          overwrite: flags.overwrite,
          onProgress: progress.report,
        });
      } finally {
        progress.stop();
      }
      const m = result.meta;
      const artists = m.artists === undefined ? '' : `, ${Object.keys(m.artists).length} artist tokens`;
      process.stdout.write(
        `wrote ${flags.out}: vocab ${m.vocab_size}${artists}, train ${m.splits.train.tokens} tokens (${m.splits.train.songs} songs), ` +
          `val ${m.splits.val.tokens} tokens (${m.splits.val.songs} songs)\n`,
      );
    });
}
