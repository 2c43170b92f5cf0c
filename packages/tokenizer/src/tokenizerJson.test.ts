import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { trainBpe } from './bpeTrainer.js';
import { writeTokenizerFiles } from './node/tokenizerFiles.js';
import { syntheticSongs } from './test-utils/corpus.js';
import { smallTokenizer } from './test-utils/fixture.js';
import { tokenizerConfigText, tokenizerJsonText } from './tokenizerJson.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'spinettai-tokjson-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('tokenizer.json', () => {
  it('is byte-identical to what the Rust tokenizers writes for the same tokenizer', async () => {
    // Digits make integer-like vocab keys ("12"), which must stay in id order.
    const { json } = await smallTokenizer(700, [
      ...syntheticSongs(60, 2),
      '12 12 12 1982 1982 2024 2024 007 007',
    ]);
    expect(json).toContain('"12": ');
    const dir = tempDir();
    const out = join(dir, 'rust.json');
    RustTokenizer.fromString(json).save(out, true);
    expect(readFileSync(out, 'utf8')).toBe(json);
  });

  it('has the GPT-2 ByteLevel components and special tokens 0 and 1', async () => {
    const { json } = await smallTokenizer(500);
    const parsed = JSON.parse(json);
    expect(parsed.normalizer).toBeNull();
    expect(parsed.pre_tokenizer).toEqual({
      type: 'ByteLevel',
      add_prefix_space: false,
      trim_offsets: true,
      use_regex: true,
    });
    expect(parsed.decoder.type).toBe('ByteLevel');
    expect(parsed.post_processor).toEqual({
      type: 'ByteLevel',
      add_prefix_space: true,
      trim_offsets: true,
      use_regex: true,
    });
    expect(parsed.model.type).toBe('BPE');
    expect(
      parsed.added_tokens.map((t: { id: number; content: string; special: boolean }) => [
        t.id,
        t.content,
        t.special,
      ]),
    ).toEqual([
      [0, '<|endoftext|>', true],
      [1, '<|pad|>', true],
    ]);
    expect(parsed.model.vocab['<|endoftext|>']).toBe(0);
    expect(Object.keys(parsed.model.vocab)).toHaveLength(500);
  });

  it('tokenizer_config.json loads in @huggingface/tokenizers and names the special tokens', async () => {
    const { json, config } = await smallTokenizer();
    const parsed = JSON.parse(config);
    expect(parsed).toMatchObject({
      bos_token: '<|endoftext|>',
      eos_token: '<|endoftext|>',
      pad_token: '<|pad|>',
      clean_up_tokenization_spaces: false,
      tokenizer_class: 'GPT2Tokenizer',
    });
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
    expect(config.endsWith('}\n')).toBe(true);
    const hf = new HfTokenizer(JSON.parse(json), parsed);
    expect(hf.decode(hf.encode('Hola , qué tal .').ids)).toBe('Hola , qué tal .');
  });

  it('writes both files atomically and deterministically', async () => {
    const songs = syntheticSongs(50, 9);
    const [a, b] = [tempDir(), tempDir()];
    await writeTokenizerFiles(a, await trainBpe(songs, { vocabSize: 600 }));
    await writeTokenizerFiles(b, await trainBpe(songs, { vocabSize: 600 }));
    expect(readdirSync(a).sort()).toEqual(['tokenizer.json', 'tokenizer_config.json']);
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    }
    const model = await trainBpe(songs, { vocabSize: 600 });
    expect(readFileSync(join(a, 'tokenizer.json'), 'utf8')).toBe(tokenizerJsonText(model));
    expect(readFileSync(join(a, 'tokenizer_config.json'), 'utf8')).toBe(tokenizerConfigText(model));
  });
});
