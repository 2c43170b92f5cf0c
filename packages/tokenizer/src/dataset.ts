// Dataset files for the trainer (contract shared with @spinettai/trainer):
//   train.bin, val.bin  raw little-endian token ids, uint16 when vocab_size <= 65536
//                       else uint32; each song is the <|endoftext|> id followed by
//                       its tokens; songs concatenated (corpus order within a split)
//   meta.json           {"format":"spinettai-dataset","version":1,"vocab_size",…}
// The split is by song (seeded shuffle, split.ts), so no song is cut in two.
// Python: numpy.fromfile("train.bin", dtype="<u2")  (or "<u4" when dtype is uint32).

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { songArtist } from './artists.js';
import { type FileToWrite, writeFilesAtomic } from './atomicWrite.js';
import { type Song, songsWithLyrics } from './corpus.js';
import { DatasetError } from './errors.js';
import { recoverDir } from './node/outputFolder.js';
import { rejectUnknownKeys } from './options.js';
import { type ProgressCallback, throttledProgress } from './progress.js';
import { splitSongs } from './split.js';
import type { Tokenizer } from './tokenizer.js';
import { TOKENIZER_JSON } from './tokenizerJson.js';

/** One split in meta.json. */
export interface DatasetSplitMeta {
  file: string;
  tokens: number;
  songs: number;
}

/** meta.json, field for field as on disk. */
export interface DatasetMeta {
  format: 'spinettai-dataset';
  version: 1;
  vocab_size: number;
  dtype: 'uint16' | 'uint32';
  eot_token_id: number;
  pad_token_id: number;
  tokenizer_sha256: string;
  val_fraction: number;
  seed: number;
  splits: { train: DatasetSplitMeta; val: DatasetSplitMeta };
  /** Where the tokenizer came from: trained here, or reused from a file. */
  tokenizer_source?: DatasetTokenizerSource;
  /** Artist conditioning: artist name → id of its `<|artist:NAME|>` token (first token of each song). */
  artists?: Record<string, number>;
}

/** meta.json `tokenizer_source`. */
export type DatasetTokenizerSource =
  | { kind: 'trained' }
  | { kind: 'tokenizer.json' | 'vocab.json+merges.txt'; path: string };

/** Options of {@link prepareDataset}. */
export interface PrepareDatasetOptions {
  /** Folder for train.bin, val.bin and meta.json (usually the tokenizer's folder). */
  outDir: string;
  /** Share of songs held out for validation, in (0, 1). Default 0.1. */
  valFraction?: number | undefined;
  /** Seed of the song shuffle. Default 1337. */
  seed?: number | undefined;
  /** Artist → token id: each song starts with its artist's token (artist conditioning). */
  artistTokens?: ReadonlyMap<string, number> | undefined;
  /** Recorded in meta.json as `tokenizer_source`. */
  tokenizerSource?: DatasetTokenizerSource | undefined;
  /** Encoding progress, in characters of lyrics. */
  onProgress?: ProgressCallback | undefined;
}

/** What prepareDataset needs from a tokenizer. */
export type DatasetTokenizer = Pick<
  Tokenizer,
  'encode' | 'vocabSize' | 'eotTokenId' | 'padTokenId' | 'sha256'
>;

export const META_JSON = 'meta.json';

const width = (dtype: DatasetMeta['dtype']): number => (dtype === 'uint16' ? 2 : 4);

function toBytes(ids: number[], dtype: DatasetMeta['dtype']): Uint8Array {
  const w = width(dtype);
  const bytes = new Uint8Array(ids.length * w);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (w === 2) view.setUint16(i * 2, id, true);
    else view.setUint32(i * 4, id, true);
  }
  return bytes;
}

/**
 * Tokenizes and splits songs in memory: meta.json plus the three files to write.
 * (prepareDataset writes them; tokenizeCorpus writes them with the tokenizer files.)
 */
export function buildDataset(
  songs: readonly Song[],
  tokenizer: DatasetTokenizer,
  options: PrepareDatasetOptions,
): { meta: DatasetMeta; files: FileToWrite[] } {
  rejectUnknownKeys('prepareDataset', options, [
    'outDir',
    'valFraction',
    'seed',
    'artistTokens',
    'tokenizerSource',
    'onProgress',
  ]);
  const valFraction = options.valFraction ?? 0.1;
  const seed = options.seed ?? 1337;
  const kept = songsWithLyrics(songs);
  const split = splitSongs(kept.length, valFraction, seed);
  const dtype = tokenizer.vocabSize <= 65536 ? 'uint16' : 'uint32';
  const { artistTokens } = options;
  const totalChars = kept.reduce((n, s) => n + s.lyrics.length, 0);
  const progress = throttledProgress('encode', totalChars, options.onProgress);
  let doneChars = 0;
  progress(0);
  const encodeSplit = (indices: readonly number[]): number[] => {
    const ids: number[] = [];
    for (const i of indices) {
      const song = kept[i] as Song;
      ids.push(tokenizer.eotTokenId);
      if (artistTokens !== undefined) {
        const id = artistTokens.get(songArtist(song) ?? '');
        if (id === undefined)
          throw new DatasetError(
            'artistTokens',
            `artistTokens has no token for the artist ${JSON.stringify(song.artist ?? null)} of song #${i + 1}.`,
            'option',
          );
        ids.push(id);
      }
      for (const id of tokenizer.encode(song.lyrics)) ids.push(id);
      doneChars += song.lyrics.length;
      progress(doneChars);
    }
    return ids;
  };
  const train = encodeSplit(split.train);
  const val = encodeSplit(split.val);
  const meta: DatasetMeta = {
    format: 'spinettai-dataset',
    version: 1,
    vocab_size: tokenizer.vocabSize,
    dtype,
    eot_token_id: tokenizer.eotTokenId,
    pad_token_id: tokenizer.padTokenId,
    tokenizer_sha256: tokenizer.sha256,
    val_fraction: valFraction,
    seed,
    splits: {
      train: { file: 'train.bin', tokens: train.length, songs: split.train.length },
      val: { file: 'val.bin', tokens: val.length, songs: split.val.length },
    },
    ...(options.tokenizerSource === undefined ? {} : { tokenizer_source: options.tokenizerSource }),
    ...(artistTokens === undefined ? {} : { artists: Object.fromEntries(artistTokens) }),
  };
  const files = [
    { path: join(options.outDir, 'train.bin'), data: toBytes(train, dtype) },
    { path: join(options.outDir, 'val.bin'), data: toBytes(val, dtype) },
    { path: join(options.outDir, META_JSON), data: `${JSON.stringify(meta, null, 2)}\n` },
  ];
  return { meta, files };
}

/**
 * Tokenizes songs into train.bin / val.bin and writes meta.json, all atomically
 * (every file is complete before any is renamed into place).
 * @throws CorpusError when there are no songs or too few for both splits;
 * DatasetError for a bad valFraction or seed.
 */
export async function prepareDataset(
  songs: readonly Song[],
  tokenizer: DatasetTokenizer,
  options: PrepareDatasetOptions,
): Promise<DatasetMeta> {
  const { meta, files } = buildDataset(songs, tokenizer, options);
  await writeFilesAtomic(files);
  return meta;
}

const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

/**
 * Reads and checks `dir/meta.json` (after repairing a folder swap a killed
 * `tokenizeCorpus` left unfinished).
 * @throws DatasetError naming the file and the field that is wrong.
 */
export async function readDatasetMeta(dir: string): Promise<DatasetMeta> {
  await recoverDir(dir); // finish or undo a write a kill cut short
  const file = join(dir, META_JSON);
  let meta: DatasetMeta;
  try {
    meta = JSON.parse(await readFile(file, 'utf8')) as DatasetMeta;
  } catch (err) {
    throw new DatasetError(
      file,
      `Cannot read ${file} (${(err as Error).message}). Tokenize the corpus first.`,
    );
  }
  const bad = (field: string): never => {
    throw new DatasetError(
      file,
      `${file}: field "${field}" is missing or invalid; tokenize the corpus again.`,
      'file',
      field,
    );
  };
  if (meta?.format !== 'spinettai-dataset') bad('format');
  if (meta.version !== 1) bad('version');
  if (!isCount(meta.vocab_size) || meta.vocab_size < 1) bad('vocab_size');
  if (meta.dtype !== (meta.vocab_size <= 65536 ? 'uint16' : 'uint32')) bad('dtype');
  if (!isCount(meta.eot_token_id) || meta.eot_token_id >= meta.vocab_size) bad('eot_token_id');
  if (!isCount(meta.pad_token_id) || meta.pad_token_id >= meta.vocab_size) bad('pad_token_id');
  if (typeof meta.tokenizer_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(meta.tokenizer_sha256))
    bad('tokenizer_sha256');
  for (const name of ['train', 'val'] as const) {
    const s = meta.splits?.[name];
    if (typeof s?.file !== 'string' || !isCount(s.tokens) || !isCount(s.songs)) bad(`splits.${name}`);
  }
  if (meta.artists !== undefined) {
    const artists = meta.artists as unknown;
    if (typeof artists !== 'object' || artists === null || Array.isArray(artists)) bad('artists');
    for (const id of Object.values(meta.artists)) if (!isCount(id) || id >= meta.vocab_size) bad('artists');
  }
  return meta;
}

/**
 * Reads one split's token ids, checking the file size against meta.json.
 * @throws DatasetError when the file is missing or its size does not match.
 */
export async function readDatasetTokens(
  dir: string,
  split: 'train' | 'val',
): Promise<Uint16Array | Uint32Array> {
  const meta = await readDatasetMeta(dir);
  const { file, tokens } = meta.splits[split];
  const path = join(dir, file);
  const w = width(meta.dtype);
  const size = await stat(path).then(
    (s) => s.size,
    () => -1,
  );
  if (size !== tokens * w) {
    throw new DatasetError(
      path,
      `${path} has ${size < 0 ? 'no file' : `${size} bytes`}, but meta.json says ${tokens} ${meta.dtype} tokens (${tokens * w} bytes); tokenize the corpus again.`,
    );
  }
  const bytes = await readFile(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = w === 2 ? new Uint16Array(tokens) : new Uint32Array(tokens);
  for (let i = 0; i < tokens; i++)
    out[i] = w === 2 ? view.getUint16(i * 2, true) : view.getUint32(i * 4, true);
  return out;
}

/**
 * Checks that a data folder is whole: meta.json is valid, train.bin and val.bin have
 * the sizes it names, and tokenizer.json is the one it was encoded with (sha256).
 * @throws DatasetError naming the first file that does not fit.
 */
export async function verifyDatasetFolder(dir: string): Promise<DatasetMeta> {
  const meta = await readDatasetMeta(dir);
  for (const split of ['train', 'val'] as const) {
    const { file, tokens } = meta.splits[split];
    const path = join(dir, file);
    const size = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    const bytes = tokens * width(meta.dtype);
    if (size !== bytes)
      throw new DatasetError(
        path,
        `${path} has ${size < 0 ? 'no file' : `${size} bytes`}, but meta.json says ${tokens} ${meta.dtype} tokens (${bytes} bytes); tokenize the corpus again.`,
      );
  }
  const tokPath = join(dir, TOKENIZER_JSON);
  const tok = await readFile(tokPath).catch(() => undefined);
  if (tok === undefined) throw new DatasetError(tokPath, `${tokPath} is missing; tokenize the corpus again.`);
  if (createHash('sha256').update(tok).digest('hex') !== meta.tokenizer_sha256)
    throw new DatasetError(
      tokPath,
      `${tokPath} is not the tokenizer meta.json was encoded with (sha256 differs): the folder is half-written or was edited; tokenize the corpus again.`,
    );
  return meta;
}
