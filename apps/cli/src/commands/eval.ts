// `spinettai eval`: how good a model is, in numbers. One JSON line on stdout
// (val_loss, perplexity, samples, copy) and a readable summary on stderr.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EVAL_SAMPLES, DEFAULT_EVAL_SEED, DEFAULT_SAMPLING, sampleCopyStats } from '@spinettai/model';
import { loadLyricsCorpus, loadTextGenerator } from '@spinettai/model/node';
import { loadTokenizer, readDatasetMeta, readDatasetTokens } from '@spinettai/tokenizer/node';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { nonNegativeInt, positiveInt } from '../options.js';

interface EvalFlags {
  model: string;
  data: string;
  corpus?: string;
  samples: number;
  maxTokens: number;
  seed: number;
  threads?: number;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'Evaluate a model: validation loss and perplexity on a data folder, sample songs, and how much of them is copied from the training lyrics. One JSON line on stdout, a summary on stderr.',
    )
    .requiredOption('--model <dir>', 'checkpoint folder or export folder')
    .requiredOption('--data <dir>', 'data folder written by `spinettai tokenize` (its val split is measured)')
    .option(
      '--corpus <path>',
      'training lyrics for the copy metrics: corpus file or data folder (default: --data)',
    )
    .option('--samples <n>', 'songs to generate', nonNegativeInt, DEFAULT_EVAL_SAMPLES)
    .option('--max-tokens <n>', 'maximum tokens per song', positiveInt, DEFAULT_SAMPLING.maxNewTokens)
    .option('--seed <n>', 'seed of the first song (song i uses seed + i)', nonNegativeInt, DEFAULT_EVAL_SEED)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt)
    .action(async (flags: EvalFlags) => {
      const meta = await readDatasetMeta(flags.data);
      if (existsSync(join(flags.model, 'tokenizer.json'))) {
        const tokenizer = await loadTokenizer(flags.model);
        if (tokenizer.sha256 !== meta.tokenizer_sha256)
          throw new UserError(
            `${flags.model} was trained with another tokenizer than ${flags.data} was tokenized with; evaluate on the model's own data folder`,
          );
      }
      const val = await readDatasetTokens(flags.data, 'val');
      const corpus = await loadLyricsCorpus(flags.corpus ?? flags.data);
      const generator = await loadTextGenerator(flags.model, { threads: flags.threads });
      try {
        const loss = await generator.evaluateLoss(val);
        const { samples, copy } = await sampleCopyStats(generator, corpus, {
          samples: flags.samples,
          maxNewTokens: flags.maxTokens,
          seed: flags.seed,
        });
        const perplexity = Math.exp(loss.loss);
        process.stdout.write(
          `${JSON.stringify({ val_loss: loss.loss, perplexity, val_tokens: loss.targets, samples, copy })}\n`,
        );
        process.stderr.write(
          [
            `validation loss ${loss.loss.toFixed(4)} (perplexity ${perplexity.toFixed(2)}) over ${loss.targets} tokens in ${loss.windows} windows`,
            `${samples.length} samples: longest copied run ${copy.longest_copied_words} words, ${(100 * copy.copied_ngram_fraction).toFixed(1)}% of 8-word sequences copied, ${copy.copied_lines} copied lines (corpus: ${corpus.source}, ${corpus.texts.length} songs)`,
            '',
          ].join('\n'),
        );
      } finally {
        await generator.release();
      }
    });
}
