import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_GPT_CONFIG, fromHfConfig, toHfConfig, validateConfig } from './config.js';

describe('validateConfig', () => {
  it('fills defaults and freezes the result', () => {
    const cfg = validateConfig({ nLayer: 2 });
    expect(cfg).toEqual({ ...DEFAULT_GPT_CONFIG, nPositions: DEFAULT_GPT_CONFIG.blockSize, nLayer: 2 });
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
    [{ blockSize: 256, nPositions: 128 }, 'blockSize', /blockSize \(256\) exceeds config.nPositions \(128\)/],
    [{ nPositions: 0 }, 'nPositions', /nPositions must be a positive integer/],
    [{ n_layer: 2 } as never, 'n_layer', /unknown model config key 'n_layer'/],
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
      nPositions: 1024,
      nLayer: 12,
      nHead: 12,
      nEmbd: 768,
      dropout: 0.1,
      layerNormEps: 1e-5,
    });
  });

  // openai-community/gpt2's config.json as published on the Hub, and distilgpt2's.
  const GPT2_HUB = {
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
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
    vocab_size: 50257,
  };
  const DISTILGPT2_HUB = {
    ...GPT2_HUB,
    _num_labels: 1,
    id2label: { '0': 'LABEL_0' },
    label2id: { LABEL_0: 0 },
    n_layer: 6,
  };
  /** Fields a recent transformers `save_pretrained` adds to the same model. */
  const SAVE_PRETRAINED_EXTRAS = {
    n_inner: null,
    reorder_and_upcast_attn: false,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    add_cross_attention: false,
    tie_word_embeddings: true,
    use_cache: true,
    torch_dtype: 'float32',
    transformers_version: '4.44.2',
  };

  it('reads gpt2 and distilgpt2 as the Hub publishes them and as save_pretrained rewrites them', () => {
    const want = { vocabSize: 50257, blockSize: 1024, nPositions: 1024, nHead: 12, nEmbd: 768, dropout: 0.1 };
    expect(fromHfConfig(GPT2_HUB)).toMatchObject({ ...want, nLayer: 12 });
    expect(fromHfConfig(DISTILGPT2_HUB)).toMatchObject({ ...want, nLayer: 6 });
    expect(fromHfConfig({ ...DISTILGPT2_HUB, ...SAVE_PRETRAINED_EXTRAS })).toMatchObject({
      ...want,
      nLayer: 6,
    });
    // reorder_and_upcast_attn changes only float16 precision: exact in float32, so accepted.
    expect(fromHfConfig({ ...GPT2_HUB, reorder_and_upcast_attn: true }).nLayer).toBe(12);
    // Without n_ctx (newer files), the context is n_positions.
    const { n_ctx: _, ...noCtx } = GPT2_HUB;
    expect(fromHfConfig(noCtx).blockSize).toBe(1024);
  });

  const unsupported: [Record<string, unknown>, string, RegExp][] = [
    [{ activation_function: 'gelu' }, 'activation_function', /activation_function 'gelu' is not supported/],
    [{ activation_function: 'relu' }, 'activation_function', /activation_function 'relu'/],
    [{ n_inner: 1024 }, 'n_inner', /n_inner 1024 is not 4·n_embd/],
    [{ tie_word_embeddings: false }, 'tie_word_embeddings', /tie_word_embeddings = false is not supported/],
    [{ scale_attn_weights: false }, 'scale_attn_weights', /scale_attn_weights = false/],
    [
      { scale_attn_by_inverse_layer_idx: true },
      'scale_attn_by_inverse_layer_idx',
      /scale_attn_by_inverse_layer_idx = true/,
    ],
    [{ add_cross_attention: true }, 'add_cross_attention', /add_cross_attention = true/],
    [{ reorder_and_upcast_attn: 'yes' }, 'reorder_and_upcast_attn', /must be true or false/],
    [{ model_type: 'llama' }, 'model_type', /only 'gpt2'/],
    [{ n_ctx: 2048 }, 'n_ctx', /config.json n_ctx \(2048\) exceeds config.json n_positions \(1024\)/],
    [{ n_ctx: 0 }, 'n_ctx', /config.json n_ctx must be a positive integer/],
    [{ n_positions: '1024' }, 'n_positions', /config.json n_positions must be a positive integer/],
    [{ n_head: 7 }, 'n_embd', /config.json n_embd \(768\) must be divisible by config.json n_head \(7\)/],
    [{ resid_pdrop: 1.5 }, 'resid_pdrop', /config.json resid_pdrop must be in \[0, 1\)/],
    [{ attn_pdrop: -1 }, 'attn_pdrop', /attn_pdrop must be a probability/],
    [{ embd_pdrop: '0.1' }, 'embd_pdrop', /embd_pdrop must be a probability/],
    [{ layer_norm_epsilon: 0 }, 'layer_norm_epsilon', /config.json layer_norm_epsilon must be in \(0, 1\]/],
    [
      { eos_token_id: 50257 },
      'eos_token_id',
      /eos_token_id 50257 is not a token id in \[0, vocab_size = 50257\)/,
    ],
    [{ bos_token_id: [1] }, 'bos_token_id', /bos_token_id \[1\] is not a token id/],
    [{ vocab_size: undefined }, 'vocab_size', /missing 'vocab_size'/],
  ];
  for (const [change, field, msg] of unsupported) {
    it(`refuses ${JSON.stringify(change)} naming the field ${field}`, () => {
      let err: unknown;
      try {
        fromHfConfig({ ...GPT2_HUB, ...SAVE_PRETRAINED_EXTRAS, ...change });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    });
  }

  it('keeps n_positions and a smaller block size apart through config.json', () => {
    const hub = fromHfConfig(GPT2_HUB);
    const tuned = validateConfig({ ...hub, blockSize: 256 });
    expect(tuned).toMatchObject({ blockSize: 256, nPositions: 1024 });
    const hf = toHfConfig(tuned, { bosTokenId: 50256, eosTokenId: 50256 });
    expect(hf).toMatchObject({ n_positions: 1024, n_ctx: 256 });
    expect(fromHfConfig(JSON.parse(JSON.stringify(hf)))).toEqual(tuned);
    expect(() => validateConfig({ ...hub, blockSize: 2048 })).toThrow(/exceeds config.nPositions \(1024\)/);
  });

  it('rejects configs the graph cannot run exactly', () => {
    const base = toHfConfig(validateConfig(), { bosTokenId: 0, eosTokenId: 0 });
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
