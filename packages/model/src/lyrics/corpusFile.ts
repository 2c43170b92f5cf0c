// Node-only: the training lyrics behind the copied-lyrics guard and the copy metrics,
// read from a corpus file (.jsonl / .json / .txt, through the tokenizer package's
// reader) or from a data folder written by `spinettai tokenize`, whose train.bin and
// val.bin are decoded song by song with the folder's tokenizer. Both splits are indexed:
// the guard protects every lyric of the corpus, not only those the model trained on.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { songsWithLyrics } from '@spinettai/tokenizer';
import { loadTokenizer, readCorpus, readDatasetMeta, readDatasetTokens } from '@spinettai/tokenizer/node';
import { GenerationError } from '../generate/errors.js';
import { LyricsIndex } from './copyGuard.js';

/** The lyrics of a corpus, one text per song, and their index. */
export interface LyricsCorpus {
  /** The file or folder read. */
  source: string;
  /** One text per song. */
  texts: string[];
  index: LyricsIndex;
}

/** Splits token ids at `eot` and decodes each song (special tokens such as `<|artist:…|>` dropped). */
function decodeSongs(ids: ArrayLike<number>, eot: number, decode: (ids: number[]) => string): string[] {
  const songs: string[] = [];
  let song: number[] = [];
  const end = () => {
    if (song.length > 0) songs.push(decode(song));
    song = [];
  };
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === eot) end();
    else song.push(ids[i]!);
  }
  end();
  return songs.filter((s) => s.trim() !== '');
}

/**
 * Reads the lyrics of a corpus file or a data folder and indexes them.
 * @throws GenerationError (option 'corpus') when `path` is neither; the tokenizer
 * package's CorpusError / DatasetError when the file or folder is damaged.
 */
export async function loadLyricsCorpus(path: string): Promise<LyricsCorpus> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new GenerationError(
      `no such corpus file or data folder: ${path}; pass the corpus (.jsonl/.json/.txt) or the folder written by \`spinettai tokenize\``,
      { option: 'corpus' },
    );
  let texts: string[];
  if (info.isDirectory()) {
    if ((await stat(join(path, 'meta.json')).catch(() => undefined)) === undefined)
      throw new GenerationError(
        `${path} is not a data folder (no meta.json); pass a corpus file or the folder written by \`spinettai tokenize\``,
        { option: 'corpus' },
      );
    const meta = await readDatasetMeta(path);
    const tokenizer = await loadTokenizer(path);
    const decode = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
    texts = [];
    for (const split of ['train', 'val'] as const)
      texts.push(...decodeSongs(await readDatasetTokens(path, split), meta.eot_token_id, decode));
  } else {
    texts = songsWithLyrics(await readCorpus(path)).map((s) => s.lyrics);
  }
  return { source: path, texts, index: LyricsIndex.fromTexts(texts) };
}
