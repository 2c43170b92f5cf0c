// Train/validation split by song: a seeded shuffle of song indices, the first
// ceil-ish share goes to validation. Songs are never cut in two, and the same
// seed gives the same split on every machine (mulberry32 is pure 32-bit math).

import { CorpusError, DatasetError } from './errors.js';

/** mulberry32: a small, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Song indices of each split, each list in corpus order. */
export interface SongSplit {
  readonly train: readonly number[];
  readonly val: readonly number[];
}

/** Checks valFraction and seed; throws DatasetError naming the option. */
export function checkSplitOptions(valFraction: number, seed: number): void {
  if (!(valFraction > 0 && valFraction < 1)) {
    throw new DatasetError(
      'valFraction',
      `valFraction is ${valFraction}; it must be > 0 and < 1 (e.g. 0.1): validation needs at least one song.`,
      'option',
    );
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DatasetError('seed', `seed is ${seed}; it must be an integer from 0 to 4294967295.`, 'option');
  }
}

/**
 * Splits `songCount` songs: round(songCount × valFraction) songs (at least 1) go
 * to validation, the rest to training, chosen by a Fisher–Yates shuffle seeded
 * with `seed`.
 * @throws CorpusError (too-few-songs) when either split would be empty.
 */
export function splitSongs(songCount: number, valFraction: number, seed: number): SongSplit {
  checkSplitOptions(valFraction, seed);
  const valCount = Math.max(1, Math.round(songCount * valFraction));
  if (songCount - valCount < 1) {
    throw new CorpusError(
      'too-few-songs',
      `The corpus has ${songCount} song(s); a validation split of ${valFraction} needs at least ${valCount + 1} (1 for training). Add songs or lower valFraction.`,
    );
  }
  const order = Array.from({ length: songCount }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = songCount - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const val = order.slice(0, valCount).sort((x, y) => x - y);
  const train = order.slice(valCount).sort((x, y) => x - y);
  return { train, val };
}
