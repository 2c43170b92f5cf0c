// tokenizeCorpus: the whole `spinettai tokenize` step in one call. Read the
// corpus, split songs into train/validation, train the BPE on the TRAIN songs
// only (so validation text is unseen by the tokenizer as well as the model),
// encode both splits, and write tokenizer.json, tokenizer_config.json,
// train.bin, val.bin and meta.json into one folder. Everything is computed in
// memory first, then the five files are written atomically together.

import { join } from 'node:path';
import { writeFilesAtomic } from './atomicWrite.js';
import { type BpeModel, trainBpe } from './bpeTrainer.js';
import { readCorpus, type Song, songsWithLyrics } from './corpus.js';
import { buildDataset, type DatasetMeta } from './dataset.js';
import { DatasetError } from './errors.js';
import { splitSongs } from './split.js';
import { Tokenizer } from './tokenizer.js';
import {
  TOKENIZER_CONFIG_JSON,
  TOKENIZER_JSON,
  tokenizerConfigText,
  tokenizerJsonText,
} from './tokenizerJson.js';

/** Options of {@link tokenizeCorpus}; give exactly one of corpusPath and songs. */
export interface TokenizeCorpusOptions {
  /** A .jsonl, .json or .txt corpus file (see readCorpus). */
  corpusPath?: string;
  /** Songs already in memory. */
  songs?: readonly Song[];
  /** Output folder (created if missing). */
  outDir: string;
  /** Vocabulary size including the 2 special tokens and 256 bytes. Default 8192. */
  vocabSize?: number;
  /** Minimum pair count for a merge. Default 2. */
  minFrequency?: number;
  /** Share of songs for validation, in (0, 1). Default 0.1. */
  valFraction?: number;
  /** Seed of the song split. Default 1337. */
  seed?: number;
  /** model_max_length written to tokenizer_config.json. Default 1024. */
  modelMaxLength?: number;
}

/** What tokenizeCorpus produced. */
export interface TokenizeCorpusResult {
  /** The trained tokenizer, as loaded from the written files. */
  readonly tokenizer: Tokenizer;
  /** The BPE model (vocab and merges). */
  readonly model: BpeModel;
  /** The dataset's meta.json. */
  readonly meta: DatasetMeta;
}

/**
 * Trains a tokenizer on a corpus and prepares the dataset in `outDir`.
 * @throws CorpusError, BpeConfigError or DatasetError before anything is written.
 */
export async function tokenizeCorpus(options: TokenizeCorpusOptions): Promise<TokenizeCorpusResult> {
  const { corpusPath, outDir } = options;
  if ((corpusPath === undefined) === (options.songs === undefined)) {
    throw new DatasetError('corpusPath', 'tokenizeCorpus: give exactly one of corpusPath and songs.');
  }
  const songs =
    corpusPath !== undefined ? await readCorpus(corpusPath) : songsWithLyrics(options.songs ?? []);
  const valFraction = options.valFraction ?? 0.1;
  const seed = options.seed ?? 1337;
  const split = splitSongs(songs.length, valFraction, seed);
  const model = await trainBpe(
    split.train.map((i) => (songs[i] as Song).lyrics),
    { vocabSize: options.vocabSize ?? 8192, minFrequency: options.minFrequency ?? 2 },
  );
  const jsonText = tokenizerJsonText(model);
  const configText = tokenizerConfigText(model, { modelMaxLength: options.modelMaxLength ?? 1024 });
  const tokenizer = Tokenizer.fromStrings(jsonText, configText);
  const dataset = buildDataset(songs, tokenizer, { outDir, valFraction, seed });
  await writeFilesAtomic([
    { path: join(outDir, TOKENIZER_JSON), data: jsonText },
    { path: join(outDir, TOKENIZER_CONFIG_JSON), data: configText },
    ...dataset.files,
  ]);
  return { tokenizer: await Tokenizer.fromDir(outDir), model, meta: dataset.meta };
}
