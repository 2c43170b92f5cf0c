import { describe, expect, it } from 'vitest';
import { trainBpe } from './bpeTrainer.js';
import { BYTE_TO_CHAR } from './byteLevel.js';
import { BpeConfigError, CorpusError, TokenizerInputError } from './errors.js';
import { syntheticSongs } from './test-utils/corpus.js';
import { linesWithEndings, rustTrain } from './test-utils/rust.js';

describe('trainBpe', () => {
  it('learns the same merges in the same order as the Rust BpeTrainer (trained to exhaustion)', async () => {
    const text = syntheticSongs(120, 7).join('\n');
    const rust = rustTrain(text);
    // The binding fixes vocab_size=30000 and min_frequency=0: both trainers run until no pair is left.
    expect(Object.keys(rust.vocab).length).toBeLessThan(30000);
    const ours = await trainBpe(linesWithEndings(text), { vocabSize: 30000, minFrequency: 0 });
    expect(rust.merges.length).toBeGreaterThan(500);
    expect(ours.merges).toEqual(rust.merges);
    // Merged tokens get ids in the same relative order (Rust's alphabet holds only the bytes it saw).
    const rustTokens = Object.entries(rust.vocab)
      .sort((x, y) => x[1] - y[1])
      .map(([t]) => t)
      .filter((t) => t.length > 1);
    expect(ours.vocab.slice(258)).toEqual(rustTokens);
  });

  it('matches Rust on overlapping repeats (aaaa, jajaja, runs of spaces and punctuation)', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 40; i++) {
      lines.push(`${'a'.repeat(i)} ${'ja'.repeat(i % 9)} na${'na'.repeat(i % 5)} ¡${'!'.repeat(i % 7)}`);
      lines.push(`${' '.repeat(i % 6)}oh${' oh'.repeat(i % 4)}${'.'.repeat(i % 5)}\t${'ñ'.repeat(i % 8)}`);
    }
    const text = `${lines.join('\n')}\n`;
    const rust = rustTrain(text);
    const ours = await trainBpe(linesWithEndings(text), { vocabSize: 30000, minFrequency: 0 });
    expect(rust.merges.length).toBeGreaterThan(60);
    expect(ours.merges).toEqual(rust.merges);
  });

  it('stops at vocabSize, with specials then the 256 bytes first', async () => {
    const texts = syntheticSongs(40, 3);
    const model = await trainBpe(texts, { vocabSize: 400 });
    expect(model.vocab.length).toBe(400);
    expect(model.vocab.slice(0, 2)).toEqual(['<|endoftext|>', '<|pad|>']);
    expect(new Set(model.vocab.slice(2, 258))).toEqual(new Set(BYTE_TO_CHAR));
    expect(model.vocab[2]).toBe('!');
    expect(model.vocab[257]).toBe('Ń'); // byte 0xAD → U+0143, the last byte by code point
  });

  it('takes a prefix of the full merge list when vocabSize is smaller', async () => {
    const texts = syntheticSongs(40, 4);
    const big = await trainBpe(texts, { vocabSize: 900 });
    const small = await trainBpe(texts, { vocabSize: 500 });
    expect(big.merges.slice(0, small.merges.length)).toEqual(small.merges);
  });

  it('respects minFrequency', async () => {
    const model = await trainBpe(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 2 });
    expect(model.merges).toEqual([
      ['a', 'b'],
      ['Ġ', 'ab'],
    ]);
    const all = await trainBpe(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 1 });
    expect(all.merges.length).toBeGreaterThan(2);
  });

  it('accepts arrays, iterables and async iterables with the same result', async () => {
    const texts = syntheticSongs(20, 5);
    const fromArray = await trainBpe(texts, { vocabSize: 350 });
    const fromIter = await trainBpe(new Set(texts).values(), { vocabSize: 350 });
    async function* stream() {
      for (const t of texts) yield t;
    }
    const fromAsync = await trainBpe(stream(), { vocabSize: 350 });
    expect(fromIter).toEqual(fromArray);
    expect(fromAsync).toEqual(fromArray);
  });

  it('rejects bad options and empty input with typed errors', async () => {
    await expect(trainBpe(['x'], { vocabSize: 257 })).rejects.toThrow(BpeConfigError);
    await expect(trainBpe(['x'], { vocabSize: 257 })).rejects.toThrow(/at least|from 258/);
    await expect(trainBpe(['x'], { vocabSize: 260, specialTokens: ['a', 'b', 'c'] })).rejects.toThrow(
      BpeConfigError,
    );
    await expect(trainBpe(['x'], { vocabSize: 300, specialTokens: ['<s>', '<s>'] })).rejects.toThrow(/twice/);
    await expect(trainBpe(['x'], { vocabSize: 300, minFrequency: -1 })).rejects.toThrow(BpeConfigError);
    await expect(trainBpe([], { vocabSize: 300 })).rejects.toThrow(CorpusError);
    await expect(trainBpe([''], { vocabSize: 300 })).rejects.toThrow(/no text/);
    await expect(trainBpe([42 as unknown as string], { vocabSize: 300 })).rejects.toThrow(
      TokenizerInputError,
    );
  });
});
