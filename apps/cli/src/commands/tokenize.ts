// `spinettai tokenize`: train the BPE tokenizer on a corpus and write the dataset.
import { tokenizeCorpus } from '@spinettai/tokenizer';
import type { Command } from 'commander';
import { fraction, nonNegativeInt, positiveInt } from '../options.js';

interface TokenizeFlags {
  corpus: string;
  out: string;
  vocabSize: number;
  minFrequency: number;
  valFraction: number;
  seed: number;
}

export function registerTokenize(program: Command): void {
  program
    .command('tokenize')
    .description(
      'Train a byte-level BPE tokenizer on a corpus and write tokenizer.json, train.bin, val.bin and meta.json.',
    )
    .requiredOption('--corpus <file>', 'corpus: .jsonl (scraper output), .json ({title: lyrics}) or .txt')
    .requiredOption('--out <dir>', 'data folder to write')
    .option(
      '--vocab-size <n>',
      'vocabulary size, including 256 byte tokens and 2 special tokens',
      positiveInt,
      2048,
    )
    .option('--min-frequency <n>', 'minimum count of a pair to be merged', positiveInt, 2)
    .option('--val-fraction <f>', 'fraction of songs held out for validation', fraction, 0.1)
    .option('--seed <n>', 'seed of the train/validation split', nonNegativeInt, 1337)
    .action(async (flags: TokenizeFlags) => {
      const result = await tokenizeCorpus({
        corpusPath: flags.corpus,
        outDir: flags.out,
        vocabSize: flags.vocabSize,
        minFrequency: flags.minFrequency,
        valFraction: flags.valFraction,
        seed: flags.seed,
      });
      const m = result.meta;
      process.stdout.write(
        `wrote ${flags.out}: vocab ${m.vocab_size}, train ${m.splits.train.tokens} tokens (${m.splits.train.songs} songs), ` +
          `val ${m.splits.val.tokens} tokens (${m.splits.val.songs} songs)\n`,
      );
    });
}
