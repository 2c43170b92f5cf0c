// Writes a tiny dataset folder (meta.json, train.bin, val.bin, tokenizer files) for tests.
// The tokenizer is a real byte-level BPE, since checkpoints validate the one they carry.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BpeModel,
  BYTE_TO_CHAR,
  DEFAULT_SPECIAL_TOKENS,
  tokenizerConfigText,
  tokenizerJsonText,
} from '@spinettai/tokenizer';

const created: string[] = [];

/** A fresh temp folder (removed by `removeTempDirs`). */
export function tempDir(prefix = 'spinettai-trainer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by `tempDir` in this test file. */
export function removeTempDirs(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The smallest vocabulary of a byte-level BPE: 2 special tokens and the 256 byte tokens. */
export const MIN_VOCAB = 2 + 256;

/**
 * A real byte-level BPE tokenizer with exactly `vocabSize` ids (≥ MIN_VOCAB): the special
 * tokens, the 256 bytes, then merges of letter pairs; `tag` picks which pairs, so two tags
 * give two different tokenizers of the same size.
 */
export function tinyTokenizer(vocabSize: number, tag = 'a'): BpeModel {
  if (vocabSize < MIN_VOCAB) throw new Error(`a byte-level BPE needs at least ${MIN_VOCAB} ids`);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const offset = [...tag].reduce((n, c) => n + c.charCodeAt(0), 0);
  const merges: [string, string][] = [];
  for (let i = 0; merges.length < vocabSize - MIN_VOCAB; i++) {
    const k = i + offset;
    merges.push([letters[k % 26]!, letters[Math.floor(k / 26) % 26]!]);
  }
  return {
    specialTokens: DEFAULT_SPECIAL_TOKENS,
    vocab: [...DEFAULT_SPECIAL_TOKENS, ...BYTE_TO_CHAR, ...merges.map(([x, y]) => x + y)],
    merges,
  };
}

/**
 * Writes train/val token ids as uint16 with a meta.json and a real tokenizer of `vocabSize`
 * ids (≥ MIN_VOCAB); `tokenizerTag` gives another tokenizer of the same size (another sha256).
 */
export function writeDataset(
  dir: string,
  train: readonly number[],
  val: readonly number[],
  vocabSize: number,
  tokenizerTag = 'a',
): string {
  mkdirSync(dir, { recursive: true });
  const bpe = tinyTokenizer(vocabSize, tokenizerTag);
  const tokenizer = tokenizerJsonText(bpe);
  writeFileSync(join(dir, 'tokenizer.json'), tokenizer);
  writeFileSync(join(dir, 'tokenizer_config.json'), tokenizerConfigText(bpe));
  writeFileSync(join(dir, 'train.bin'), Buffer.from(Uint16Array.from(train).buffer));
  writeFileSync(join(dir, 'val.bin'), Buffer.from(Uint16Array.from(val).buffer));
  const meta = {
    format: 'spinettai-dataset',
    version: 1,
    vocab_size: vocabSize,
    dtype: 'uint16',
    eot_token_id: 0,
    pad_token_id: 1,
    tokenizer_sha256: createHash('sha256').update(tokenizer).digest('hex'),
    val_fraction: 0.1,
    seed: 1337,
    splits: {
      train: { file: 'train.bin', tokens: train.length, songs: 1 },
      val: { file: 'val.bin', tokens: val.length, songs: 1 },
    },
  };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return dir;
}

/** Pseudo-random token ids in [2, vocab) from a linear congruential sequence (no RNG state shared with the code under test). */
export function noiseTokens(n: number, vocab: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 2 + ((s >>> 8) % (vocab - 2));
  });
}
