// Samples a model's songs and measures how much of them is copied from the training
// lyrics: the `samples` and `copy` of `spinettai eval`, and the copy metrics `train`
// logs at an evaluation. The guard is off here: this measures what the model recites.
// Browser-safe (the generator and the index are given).

import type { GenerateOptions } from '../generate/options.js';
import type { TextGenerator } from '../generate/textGenerator.js';
import type { LyricsIndex } from './copyGuard.js';
import { type CopyStats, copyStats } from './copyStats.js';

/** Options of `sampleCopyStats`. */
export interface SampleCopyOptions {
  /** Songs to generate (default 4). */
  samples?: number | undefined;
  /** Token cap per song (default 256). */
  maxNewTokens?: number | undefined;
  /** Seed of the first song; song i uses seed + i (default 1234). */
  seed?: number | undefined;
  /** Other generation options (sampling, artist…); the defaults otherwise. */
  generate?: Omit<GenerateOptions, 'maxNewTokens' | 'seed' | 'maxCopyWords'> | undefined;
}

/** Default number of songs sampled by `sampleCopyStats` and `spinettai eval`. */
export const DEFAULT_EVAL_SAMPLES = 4;
/** Default seed of `sampleCopyStats` and `spinettai eval`. */
export const DEFAULT_EVAL_SEED = 1234;

/** Generates `samples` songs from scratch and measures what they copy. */
export async function sampleCopyStats(
  generator: TextGenerator,
  corpus: { index: LyricsIndex; texts: readonly string[] },
  opts: SampleCopyOptions = {},
): Promise<{ samples: string[]; copy: CopyStats }> {
  const n = opts.samples ?? DEFAULT_EVAL_SAMPLES;
  const seed = opts.seed ?? DEFAULT_EVAL_SEED;
  const samples: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await generator.generate('', {
      ...opts.generate,
      maxNewTokens: opts.maxNewTokens,
      seed: seed + i,
    });
    samples.push(r.text);
  }
  return { samples, copy: copyStats(samples, corpus.index, { lyrics: corpus.texts }) };
}
