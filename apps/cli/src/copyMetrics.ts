// Copy metrics of the weights being trained, for `train --copy-metrics`: a generator over
// the in-memory parameters samples a few songs and copyStats measures how much of them is
// copied from the training lyrics (the `copy` numbers of `spinettai eval`). The trainer's
// onEval hook must hand over the parameters for this to run at each evaluation.
import {
  type CopyStats,
  DEFAULT_EVAL_SEED,
  type GPTConfig,
  type Params,
  sampleCopyStats,
} from '@spinettai/model';
import { type LyricsCorpus, textGeneratorFromParams } from '@spinettai/model/node';
import { loadTokenizer } from '@spinettai/tokenizer/node';

/** Options of `copyMetricsOf`. */
export interface CopyMetricsOptions {
  /** The data folder (its tokenizer.json decodes the samples). */
  dataDir: string;
  /** The training lyrics (`loadLyricsCorpus`), loaded once per run. */
  corpus: LyricsCorpus;
  /** Songs per evaluation (default 2). */
  samples?: number | undefined;
  /** Token cap per song (default 128). */
  maxNewTokens?: number | undefined;
  /** Seed of the first song (default DEFAULT_EVAL_SEED, so evaluations compare like with like). */
  seed?: number | undefined;
  threads?: number | undefined;
}

/** Samples songs from `params` and measures what they copy; frees its session. */
export async function copyMetricsOf(
  config: GPTConfig,
  params: Params,
  o: CopyMetricsOptions,
): Promise<{ samples: string[]; copy: CopyStats }> {
  const tokenizer = await loadTokenizer(o.dataDir);
  const generator = await textGeneratorFromParams(config, params, {
    tokenizer,
    eosTokenId: tokenizer.eotTokenId,
    threads: o.threads,
  });
  try {
    return await sampleCopyStats(generator, o.corpus, {
      samples: o.samples ?? 2,
      maxNewTokens: o.maxNewTokens ?? 128,
      seed: o.seed ?? DEFAULT_EVAL_SEED,
    });
  } finally {
    await generator.release();
  }
}

/** One line for the train log. */
export function formatCopyMetrics(step: number, copy: CopyStats): string {
  return `step ${step} copy: longest copied run ${copy.longest_copied_words} words, ${(100 * copy.copied_ngram_fraction).toFixed(1)}% of 8-word sequences copied, ${copy.copied_lines} copied lines`;
}
