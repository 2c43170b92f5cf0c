// tokenizeCorpus: the whole `spinettai tokenize` step in one call. Read the
// corpus, split songs into train/validation, then either train the BPE on the
// TRAIN songs only (so validation text is unseen by the tokenizer as well as the
// model) or reuse an existing tokenizer (`tokenizer`), optionally add one special
// token per artist (`condition: 'artist'`), encode both splits, and write
// tokenizer.json, tokenizer_config.json, train.bin, val.bin and meta.json into
// one folder. Everything is computed in memory first, then the folder is replaced
// as one unit under a lock (node/dataFolder.ts). Node only.

import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { artistToken, corpusArtists } from './artists.js';
import { type BpeModel, trainBpe } from './bpeTrainer.js';
import { type Song, songsWithLyrics } from './corpus.js';
import { buildDataset, type DatasetMeta, type DatasetTokenizerSource } from './dataset.js';
import { DatasetError } from './errors.js';
import { readCorpus } from './node/corpusFile.js';
import { type DataFolder, openDataFolder } from './node/dataFolder.js';
import { readTokenizerSource } from './node/tokenizerFiles.js';
import type { ProgressCallback } from './progress.js';
import { splitSongs } from './split.js';
import { Tokenizer } from './tokenizer.js';
import { addSpecialTokens } from './tokenizerEdit.js';
import {
  TOKENIZER_CONFIG_JSON,
  TOKENIZER_JSON,
  tokenizerConfigText,
  tokenizerJsonText,
} from './tokenizerJson.js';

/** Options of {@link tokenizeCorpus}; give exactly one of corpusPath and songs. */
export interface TokenizeCorpusOptions {
  /** A .jsonl, .json or .txt corpus file (see readCorpus). */
  corpusPath?: string | undefined;
  /** Songs already in memory. */
  songs?: readonly Song[] | undefined;
  /** Output folder (created if missing). */
  outDir: string;
  /**
   * Reuse this tokenizer instead of training one: a folder with tokenizer.json
   * (+ tokenizer_config.json) or vocab.json + merges.txt, or a tokenizer.json file.
   * Songs are then separated by its `eos_token`. Excludes vocabSize and minFrequency.
   */
  tokenizer?: string | undefined;
  /** Vocabulary size of a trained tokenizer, including 2 special tokens and 256 bytes. Default 8192. */
  vocabSize?: number | undefined;
  /** Minimum pair count for a merge. Default 2. */
  minFrequency?: number | undefined;
  /** Share of songs for validation, in (0, 1). Default 0.1. */
  valFraction?: number | undefined;
  /** Seed of the song split. Default 1337. */
  seed?: number | undefined;
  /** model_max_length written to tokenizer_config.json of a trained tokenizer. Default 1024. */
  modelMaxLength?: number | undefined;
  /**
   * 'artist': add a special token `<|artist:NAME|>` per artist (after the
   * tokenizer's own ids) and start each song with it; meta.json lists them.
   */
  condition?: 'artist' | undefined;
  /** Replace an earlier data folder at outDir (default false: refused). Other folders are never replaced. */
  overwrite?: boolean | undefined;
  /** Progress of training and encoding (called synchronously). */
  onProgress?: ProgressCallback | undefined;
}

const OPTION_KEYS = new Set([
  'corpusPath',
  'songs',
  'outDir',
  'tokenizer',
  'vocabSize',
  'minFrequency',
  'valFraction',
  'seed',
  'modelMaxLength',
  'condition',
  'overwrite',
  'onProgress',
]);

/** What tokenizeCorpus produced. */
export interface TokenizeCorpusResult {
  /** The tokenizer, as loaded from the written files. */
  readonly tokenizer: Tokenizer;
  /** The trained BPE model (vocab and merges); undefined when a tokenizer was reused. */
  readonly model: BpeModel | undefined;
  /** The dataset's meta.json. */
  readonly meta: DatasetMeta;
}

const option = (name: string, message: string): DatasetError => new DatasetError(name, message, 'option');

function checkOptions(options: TokenizeCorpusOptions): void {
  if (typeof options !== 'object' || options === null)
    throw option('options', 'tokenizeCorpus: pass an options object, e.g. { corpusPath, outDir }.');
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.has(k));
  if (unknown.length > 0) {
    throw option(
      unknown[0] as string,
      `tokenizeCorpus: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${[...OPTION_KEYS].join(', ')}.`,
    );
  }
  if ((options.corpusPath === undefined) === (options.songs === undefined))
    throw option('corpusPath', 'tokenizeCorpus: give exactly one of corpusPath and songs.');
  if (typeof options.outDir !== 'string' || options.outDir === '')
    throw option('outDir', 'tokenizeCorpus: outDir must name the folder to write.');
  if (options.tokenizer !== undefined) {
    if (typeof options.tokenizer !== 'string' || options.tokenizer === '')
      throw option('tokenizer', 'tokenizeCorpus: tokenizer must be the path of a tokenizer folder or file.');
    for (const name of ['vocabSize', 'minFrequency', 'modelMaxLength'] as const) {
      if (options[name] !== undefined)
        throw option(
          name,
          `tokenizeCorpus: ${name} applies to a trained tokenizer; leave it out when reusing one (tokenizer).`,
        );
    }
  }
  if (options.condition !== undefined && options.condition !== 'artist')
    throw option(
      'condition',
      `tokenizeCorpus: condition is ${JSON.stringify(options.condition)}; the only one is 'artist'.`,
    );
}

/** Refuses an outDir that is a file, or lies under one, with one line naming it. */
async function checkOutDirIsFolder(outDir: string): Promise<void> {
  const code = await stat(outDir).then(
    (s) => (s.isDirectory() ? undefined : 'EEXIST'),
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : e.code),
  );
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    throw option(
      'outDir',
      code === 'EEXIST'
        ? `outDir ${outDir} is an existing file, not a folder; give the path of a folder to write the dataset into.`
        : `outDir ${outDir} lies inside a file, not a folder; give the path of a folder to write the dataset into.`,
    );
  }
}

/**
 * Trains a tokenizer on a corpus (or reuses one) and prepares the dataset in `outDir`.
 * @throws CorpusError, BpeConfigError, TokenizerFileError or DatasetError before anything is
 * written (DatasetError on `outDir` when another process writes it or it holds files
 * spinettai did not write).
 * @example
 * const { meta } = await tokenizeCorpus({ corpusPath: 'lyrics.jsonl', outDir: 'data/lyrics', vocabSize: 2048 });
 */
export async function tokenizeCorpus(options: TokenizeCorpusOptions): Promise<TokenizeCorpusResult> {
  checkOptions(options);
  await checkOutDirIsFolder(options.outDir);
  // Locked and vetted before the long work: a second writer is refused at once.
  const folder = await openDataFolder(options.outDir, options.overwrite === true);
  try {
    return await tokenizeInto(folder, options);
  } finally {
    await folder.release();
  }
}

async function tokenizeInto(
  folder: DataFolder,
  options: TokenizeCorpusOptions,
): Promise<TokenizeCorpusResult> {
  const { corpusPath, outDir, onProgress } = options;
  const songs =
    corpusPath !== undefined ? await readCorpus(corpusPath) : songsWithLyrics(options.songs ?? []);
  const valFraction = options.valFraction ?? 0.1;
  const seed = options.seed ?? 1337;
  const split = splitSongs(songs.length, valFraction, seed);
  const artists = options.condition === 'artist' ? corpusArtists(songs) : undefined;

  let jsonText: string;
  let configText: string | undefined;
  let model: BpeModel | undefined;
  let reused: Tokenizer | undefined;
  let tokenizerSource: DatasetTokenizerSource;
  if (options.tokenizer !== undefined) {
    const source = await readTokenizerSource(options.tokenizer);
    jsonText = source.tokenizerJson;
    configText = source.tokenizerConfig;
    tokenizerSource = { kind: source.kind, path: source.path };
    reused = source.tokenizer;
  } else {
    model = await trainBpe(
      split.train.map((i) => (songs[i] as Song).lyrics),
      { vocabSize: options.vocabSize ?? 8192, minFrequency: options.minFrequency ?? 2, onProgress },
    );
    jsonText = tokenizerJsonText(model);
    configText = tokenizerConfigText(model, { modelMaxLength: options.modelMaxLength ?? 1024 });
    tokenizerSource = { kind: 'trained' };
  }
  let artistTokens: Map<string, number> | undefined;
  if (artists !== undefined) {
    const extended = addSpecialTokens(jsonText, configText, artists.map(artistToken));
    jsonText = extended.tokenizerJson;
    configText = extended.tokenizerConfig;
    artistTokens = new Map(artists.map((a) => [a, extended.ids.get(artistToken(a)) as number]));
  }
  // Loading a large vocabulary (GPT-2: 50k tokens) takes a moment: build it once.
  const tokenizer =
    reused !== undefined && artists === undefined ? reused : Tokenizer.fromStrings(jsonText, configText);
  configText ??= `${JSON.stringify({ eos_token: tokenizer.eosToken }, null, 2)}\n`;
  const dataset = buildDataset(songs, tokenizer, {
    outDir,
    valFraction,
    seed,
    artistTokens,
    tokenizerSource,
    onProgress,
  });
  // One unit, under a lock: a kill never leaves a new tokenizer.json beside old .bin files.
  await folder.write([
    { name: TOKENIZER_JSON, data: jsonText },
    { name: TOKENIZER_CONFIG_JSON, data: configText },
    ...dataset.files.map((f) => ({ name: basename(f.path), data: f.data })),
  ]);
  // The written tokenizer.json is jsonText byte for byte, so `tokenizer` is what loads from outDir.
  return { tokenizer, model, meta: dataset.meta };
}
