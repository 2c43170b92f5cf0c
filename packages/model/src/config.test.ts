import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_GPT_CONFIG, fromHfConfig, toHfConfig, validateConfig } from './config.js';

describe('validateConfig', () => {
  it('fills defaults and freezes the result', () => {
    const cfg = validateConfig({ nLayer: 2 });
    expect(cfg).toEqual({ ...DEFAULT_GPT_CONFIG, nLayer: 2 });
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  const bad: [Partial<Record<string, unknown>>, string, RegExp][] = [
    [{ nLayer: 0 }, 'nLayer', /nLayer must be a positive integer/],
    [{ nHead: 2.5 }, 'nHead', /nHead must be a positive integer/],
    [{ vocabSize: '4096' }, 'vocabSize', /vocabSize must be a positive integer/],
    [{ blockSize: -8 }, 'blockSize', /blockSize/],
    [{ nEmbd: 100, nHead: 3 }, 'nEmbd', /divisible by config.nHead \(3\)/],
    [{ vocabSize: 2_000_000_000 }, 'vocabSize', /exceeds the limit/],
    [{ dropout: 1 }, 'dropout', /dropout must be in \[0, 1\)/],
    [{ dropout: -0.1 }, 'dropout', /dropout/],
    [{ layerNormEps: 0 }, 'layerNormEps', /layerNormEps/],
  ];
  for (const [partial, field, msg] of bad) {
    it(`rejects ${JSON.stringify(partial)} naming ${field}`, () => {
      let err: unknown;
      try {
        validateConfig(partial as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
      expect((err as ConfigError).message).toMatch(msg);
    });
  }
});

describe('Hugging Face config.json', () => {
  it('round-trips through toHfConfig / fromHfConfig', () => {
    const cfg = validateConfig({ vocabSize: 300, blockSize: 64, nLayer: 3, nHead: 4, nEmbd: 32, dropout: 0 });
    const hf = toHfConfig(cfg, { bosTokenId: 0, eosTokenId: 0 });
    expect(hf).toMatchObject({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: 32,
      n_layer: 3,
      n_head: 4,
      n_positions: 64,
      n_ctx: 64,
      vocab_size: 300,
      activation_function: 'gelu_new',
      tie_word_embeddings: true,
      bos_token_id: 0,
      eos_token_id: 0,
    });
    expect(fromHfConfig(JSON.parse(JSON.stringify(hf)))).toEqual(cfg);
  });

  it('reads the original GPT-2 config.json as transformers writes it', () => {
    const gpt2 = {
      activation_function: 'gelu_new',
      architectures: ['GPT2LMHeadModel'],
      attn_pdrop: 0.1,
      bos_token_id: 50256,
      embd_pdrop: 0.1,
      eos_token_id: 50256,
      initializer_range: 0.02,
      layer_norm_epsilon: 1e-5,
      model_type: 'gpt2',
      n_ctx: 1024,
      n_embd: 768,
      n_head: 12,
      n_layer: 12,
      n_positions: 1024,
      resid_pdrop: 0.1,
      vocab_size: 50257,
    };
    expect(fromHfConfig(gpt2)).toEqual({
      vocabSize: 50257,
      blockSize: 1024,
      nLayer: 12,
      nHead: 12,
      nEmbd: 768,
      dropout: 0.1,
      layerNormEps: 1e-5,
    });
  });

  it('rejects configs the graph cannot run exactly', () => {
    const base = toHfConfig(DEFAULT_GPT_CONFIG, { bosTokenId: 0, eosTokenId: 0 });
    expect(() => fromHfConfig({ ...base, model_type: 'llama' })).toThrow(/only 'gpt2'/);
    expect(() => fromHfConfig({ ...base, activation_function: 'relu' })).toThrow(
      /activation_function 'relu'/,
    );
    expect(() => fromHfConfig({ ...base, tie_word_embeddings: false })).toThrow(/tied/);
    expect(() => fromHfConfig({ ...base, n_inner: 7 })).toThrow(/n_inner/);
    expect(() => fromHfConfig({ ...base, n_head: undefined })).toThrow(/missing 'n_head'/);
    expect(() => fromHfConfig([1, 2])).toThrow(ConfigError);
  });
});
