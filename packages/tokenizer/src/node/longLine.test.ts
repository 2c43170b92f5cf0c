// Pathological input (issue 12 item 10): a multi-MB corpus line with no spaces
// used to take minutes in tokenize (quadratic BPE on one huge word). Training now
// counts such a pre-token as pieces of MAX_WORD_CHARS, encoding merges with a
// heap as Rust does, and progress is reported while it runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenizeProgress } from '../progress.js';
import { mulberry32 } from '../split.js';
import { syntheticSongs } from '../test-utils/corpus.js';
import { smallTokenizer } from '../test-utils/fixture.js';
import { tokenizeCorpus } from '../tokenizeCorpus.js';
import { countWords, MAX_WORD_CHARS } from '../wordCounts.js';

const work = mkdtempSync(join(tmpdir(), 'spinettai-long-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function noSpaceLine(length: number, seed: number): string {
  const rand = mulberry32(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzñáéíóú';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

describe('a multi-MB line with no spaces', () => {
  it('tokenizes in seconds, round-trips, and reports progress', async () => {
    const line = noSpaceLine(2_000_000, 1);
    const songs = [...syntheticSongs(20, 2), line].map((lyrics) => ({ title: null, lyrics }));
    const seen = new Set<TokenizeProgress['phase']>();
    const started = performance.now();
    const { tokenizer, meta } = await tokenizeCorpus({
      songs,
      outDir: join(work, 'data'),
      vocabSize: 2048,
      valFraction: 0.05,
      seed: 3,
      onProgress: (p) => {
        seen.add(p.phase);
        expect(p.done).toBeLessThanOrEqual(p.total);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(60); // 11 minutes before; about 15 s for 2 MB on 2 busy cores
    expect(meta.splits.train.songs + meta.splits.val.songs).toBe(21);
    expect([...seen]).toEqual(['count', 'merge', 'encode']);
    expect(tokenizer.decode(tokenizer.encode(line))).toBe(line);
  }, 120_000);

  it('encodes a long word exactly as Rust does (no chunking when encoding)', async () => {
    const fx = await smallTokenizer(600, [...syntheticSongs(40, 4), noSpaceLine(20_000, 5)]);
    const rust = RustTokenizer.fromString(fx.json);
    const word = noSpaceLine(50_000, 6);
    const expected = (await rust.encode(word, null, { addSpecialTokens: false })).getIds();
    expect(fx.tokenizer.encode(word)).toEqual(expected);
  });

  it('counts a pre-token longer than MAX_WORD_CHARS as pieces, never splitting a character', async () => {
    const word = '🎸'.repeat(MAX_WORD_CHARS + 10);
    const counts = await countWords([word, 'hola']);
    expect([...counts]).toEqual([
      ['🎸'.repeat(MAX_WORD_CHARS), 1],
      ['🎸'.repeat(10), 1],
      ['hola', 1],
    ]);
  });
});
