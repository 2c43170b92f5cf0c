// One base class for every error of the package, with .option/.file/.field, and
// option objects that reject unknown keys (naming them, and the known ones).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainBpe } from './bpeTrainer.js';
import { parseJsonlCorpus } from './corpus.js';
import { prepareDataset } from './dataset.js';
import { BpeConfigError, CorpusError, DatasetError, TokenizerError, TokenizerFileError } from './errors.js';
import { loadTokenizer } from './node/tokenizerFiles.js';
import { smallTokenizer } from './test-utils/fixture.js';
import { tokenizeCorpus } from './tokenizeCorpus.js';
import { Tokenizer } from './tokenizer.js';

const work = mkdtempSync(join(tmpdir(), 'spinettai-errors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function caught(f: () => unknown): Promise<TokenizerError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(TokenizerError);
    return e as TokenizerError;
  }
  throw new Error('expected an error');
}

describe('errors', () => {
  it('every error is a TokenizerError with option, file and field', async () => {
    const vocab = await caught(() => trainBpe(['hola'], { vocabSize: 10 }));
    expect(vocab).toBeInstanceOf(BpeConfigError);
    expect(vocab.option).toBe('vocabSize');
    expect(vocab.message).toMatch(/vocabSize: 8192/);
    expect(vocab.message).not.toMatch(/--/);

    const corpus = await caught(() => parseJsonlCorpus('{"lyrics": 1}', 'c.jsonl'));
    expect(corpus).toBeInstanceOf(CorpusError);
    expect(corpus.file).toBe('c.jsonl');

    const missing = await caught(() => loadTokenizer(join(work, 'none')));
    expect(missing).toBeInstanceOf(TokenizerFileError);
    expect(missing.file).toBe(join(work, 'none', 'tokenizer.json'));

    const fx = await smallTokenizer(300);
    const config = JSON.parse(fx.config);
    config.eos_token = '<|nope|>';
    const eos = await caught(() => Tokenizer.fromStrings(fx.json, JSON.stringify(config)));
    expect(eos.field).toBe('eos_token');

    const frac = await caught(() =>
      tokenizeCorpus({ songs: [{ title: null, lyrics: 'a b' }], outDir: join(work, 'o'), valFraction: 0 }),
    );
    expect(frac).toBeInstanceOf(DatasetError);
    expect(frac.option).toBe('valFraction');
    expect(frac.file).toBeUndefined();
  });

  it('option objects reject unknown keys, naming them', async () => {
    const fx = await smallTokenizer(300);
    const typo = await caught(() => trainBpe(['hola'], { vocabSize: 300, minFrequncy: 1 } as never));
    expect(typo.option).toBe('minFrequncy');
    expect(typo.message).toMatch(/unknown option minFrequncy; known: vocabSize, minFrequency/);
    expect(
      (await caught(() => fx.tokenizer.decode([1], { skip_special_tokens: true } as never))).option,
    ).toBe('skip_special_tokens');
    const songs = [
      { title: null, lyrics: 'uno' },
      { title: null, lyrics: 'dos' },
    ];
    expect(
      (await caught(() => prepareDataset(songs, fx.tokenizer, { outDir: work, valFrac: 0.5 } as never)))
        .option,
    ).toBe('valFrac');
    expect((await caught(() => tokenizeCorpus({ songs, outDir: work, vocab: 300 } as never))).option).toBe(
      'vocab',
    );
  });
});
