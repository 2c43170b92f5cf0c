// Writes a tiny dataset folder (meta.json, train.bin, val.bin, tokenizer files) for tests.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Writes train/val token ids as uint16 with a meta.json; `tokenizerTag` changes the tokenizer's bytes (and sha256). */
export function writeDataset(
  dir: string,
  train: readonly number[],
  val: readonly number[],
  vocabSize: number,
  tokenizerTag = 'a',
): string {
  mkdirSync(dir, { recursive: true });
  const tokenizer = JSON.stringify({
    version: '1.0',
    model: { type: 'BPE', vocab: {}, merges: [] },
    tag: tokenizerTag,
  });
  writeFileSync(join(dir, 'tokenizer.json'), tokenizer);
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', eos_token: '<|endoftext|>' }),
  );
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
