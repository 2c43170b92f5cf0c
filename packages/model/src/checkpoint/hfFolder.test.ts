import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeModel } from '@spinettai/graph';
import { tokenizerConfigText, tokenizerJsonText, trainBpe } from '@spinettai/tokenizer';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GPTConfig, validateConfig } from '../config.js';
import { buildGptGraph } from '../gpt.js';
import { initParams, type Params, paramShapes } from '../params.js';
import { referenceLogits } from '../reference.js';
import { CheckpointError } from './errors.js';
import { loadCheckpoint, saveCheckpoint } from './hfFolder.js';
import { encodeFloats, exactWeights, type HubFolderOptions, writeHubFolder } from './test-utils/hubFolder.js';

const LYRICS = ['la noche se va y yo me quedo cantando', 'walking down the river singing to the moon'];

/** A tiny GPT-2 as the Hub would hold it: 16 positions, vocabulary 50. */
const hubCfg = validateConfig({ vocabSize: 50, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0.1 });
let cfg: GPTConfig; // vocabulary = the trained tokenizer's
let root: string;
let tok: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ckpt-'));
  tok = join(root, 'tok');
  const model = await trainBpe(LYRICS, { vocabSize: 270 });
  await mkdir(tok);
  await writeFile(join(tok, 'tokenizer.json'), tokenizerJsonText(model));
  await writeFile(join(tok, 'tokenizer_config.json'), tokenizerConfigText(model));
  cfg = validateConfig({
    vocabSize: model.vocab.length,
    blockSize: 8,
    nLayer: 2,
    nHead: 2,
    nEmbd: 8,
    dropout: 0.1,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesOf(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f));
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<CheckpointError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as Error).message).not.toContain('\n');
  return err as CheckpointError;
}

let n = 0;
async function hub(o: HubFolderOptions = {}, weights = exactWeights(hubCfg)): Promise<string> {
  const dir = join(root, `hub-${n++}`);
  await writeHubFolder(dir, hubCfg, weights, o);
  return dir;
}

function expectWeights(params: Params, want: Map<string, Float32Array>) {
  expect([...params.keys()]).toEqual([...paramShapes(hubCfg).keys()]);
  for (const [name, values] of want) {
    expect(params.get(name)!.dtype).toBe('float32');
    expect(Array.from(params.get(name)!.data as Float32Array)).toEqual(Array.from(values));
  }
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('writes a complete HF folder; save → load → save is byte-identical', async () => {
    const a = join(root, 'a');
    const params = initParams(cfg, 1);
    await saveCheckpoint(a, {
      config: cfg,
      params,
      bosTokenId: 0,
      eosTokenId: 0,
      tokenizerDir: tok,
      generationConfig: { max_new_tokens: 50 },
    });
    const first = await filesOf(a);
    expect(Object.keys(first).filter((f) => !f.startsWith('.'))).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(JSON.parse(first['generation_config.json']!.toString())).toEqual({
      bos_token_id: 0,
      eos_token_id: 0,
      max_new_tokens: 50,
    });
    expect(JSON.parse(first['config.json']!.toString())).toMatchObject({
      model_type: 'gpt2',
      n_embd: 8,
      tie_word_embeddings: true,
    });

    const loaded = await loadCheckpoint(a);
    expect(loaded.config).toEqual(cfg);
    expect(loaded.tokenizer).toEqual({
      format: 'tokenizer.json',
      files: ['tokenizer.json', 'tokenizer_config.json'],
    });
    expect([...loaded.params.keys()]).toEqual([...paramShapes(cfg).keys()]);
    for (const [name, t] of params) expect(loaded.params.get(name)).toEqual(t);
    const b = join(root, 'b');
    await saveCheckpoint(b, {
      config: loaded.config,
      params: loaded.params,
      bosTokenId: loaded.bosTokenId!,
      eosTokenId: loaded.eosTokenId!,
      generationConfig: loaded.generationConfig,
      tokenizerDir: a,
    });
    expect(await filesOf(b)).toEqual(first);
  });

  it('refuses at save a tokenizer whose vocabulary does not match vocabSize', async () => {
    const wrong = validateConfig({ ...cfg, vocabSize: cfg.vocabSize + 3 });
    const err = await errorOf(
      saveCheckpoint(join(root, 'vocab'), {
        config: wrong,
        params: initParams(wrong, 1),
        bosTokenId: 0,
        eosTokenId: 0,
        tokenizerDir: tok,
      }),
    );
    expect(err.message).toMatch(
      new RegExp(
        `tokenizer\\.json: has ${cfg.vocabSize} token ids but the model's vocabSize is ${cfg.vocabSize + 3}`,
      ),
    );
    await expect(readdir(join(root, 'vocab'))).rejects.toThrow(/ENOENT/);
  });

  it('keeps a block size below n_positions through save and load', async () => {
    const tuned = validateConfig({ ...cfg, blockSize: 4, nPositions: 8 });
    const dir = join(root, 'block');
    await saveCheckpoint(dir, { config: tuned, params: initParams(tuned, 3), bosTokenId: 0, eosTokenId: 0 });
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))).toMatchObject({
      n_positions: 8,
      n_ctx: 4,
    });
    const loaded = await loadCheckpoint(dir);
    expect(loaded.config).toEqual(tuned);
    expect(loaded.params.get('transformer.wpe.weight')!.dims).toEqual([8, 8]);
    expect(loaded.tokenizer).toEqual({ format: undefined, files: [] });
  });
});

describe('loading Hub GPT-2 folders', () => {
  it('loads gpt2 as the Hub publishes it: bare names, attn.bias buffers, its config.json fields', async () => {
    const want = exactWeights(hubCfg);
    const dir = await hub();
    await writeFile(join(dir, 'vocab.json'), '{}');
    await writeFile(join(dir, 'merges.txt'), '#version: 0.2\n');
    const loaded = await loadCheckpoint(dir);
    expect(loaded.config).toEqual({ ...hubCfg, dropout: 0.1 });
    expect(loaded.bosTokenId).toBe(49);
    expect(loaded.eosTokenId).toBe(49);
    expect(loaded.generationConfig).toBeUndefined();
    expect(loaded.tokenizer).toEqual({
      format: 'vocab.json+merges.txt',
      files: ['vocab.json', 'merges.txt'],
    });
    expectWeights(loaded.params, want);
  });

  it('loads the save_pretrained layout: transformer. prefix and a stored lm_head equal to wte', async () => {
    const want = exactWeights(hubCfg);
    const loaded = await loadCheckpoint(await hub({ prefix: true, lmHead: 'tied', buffers: false }));
    expectWeights(loaded.params, want);
  });

  it('loads F16 and BF16 weights, widened exactly to float32', async () => {
    const want = exactWeights(hubCfg);
    for (const dtype of ['F16', 'BF16'] as const) {
      const loaded = await loadCheckpoint(await hub({ dtype, lmHead: 'tied' }));
      expectWeights(loaded.params, want);
    }
  });

  it('loads a sharded F16 checkpoint through model.safetensors.index.json', async () => {
    const want = exactWeights(hubCfg);
    const dir = await hub({ dtype: 'F16', shards: 3 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.safetensors'))).toHaveLength(3);
    expectWeights((await loadCheckpoint(dir)).params, want);
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { a: '../../etc/passwd' } }),
    );
    await expect(loadCheckpoint(dir)).rejects.toThrow(/invalid shard '..\/..\/etc\/passwd'/);
  });

  it('runs a 16-position checkpoint at block size 8 (wpe keeps its 16 rows)', async () => {
    const weights = exactWeights(hubCfg);
    for (const [name, w] of weights)
      if (!name.includes('.ln_')) for (let i = 0; i < w.length; i++) w[i]! /= 4;
    const loaded = await loadCheckpoint(await hub({}, weights));
    const config = validateConfig({ ...loaded.config, blockSize: 8 });
    expect(config.nPositions).toBe(16);
    const { graph } = buildGptGraph(config, { params: loaded.params });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const session = await InferenceSession.create(serializeModel(graph));
    try {
      const out = await session.run({
        input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, 8]),
      });
      const got = out['logits']!.data as Float32Array;
      const want = referenceLogits(config, loaded.params, ids);
      let maxErr = 0;
      want.forEach((w, i) => {
        maxErr = Math.max(maxErr, Math.abs(got[i]! - w));
      });
      expect(maxErr).toBeLessThan(1e-4);
    } finally {
      await session.release();
    }
    expect(() => buildGptGraph(config, { params: loaded.params, seqLen: 9 })).toThrow(/blockSize = 8/);
  });

  it('refuses an untied lm_head, naming it', async () => {
    const err = await errorOf(loadCheckpoint(await hub({ lmHead: 'untied' })));
    expect(err.tensor).toBe('lm_head.weight');
    expect(err.message).toMatch(/lm_head\.weight': differs from transformer\.wte\.weight .*untied/);
  });

  it('refuses NaN and infinite weights, naming the tensor', async () => {
    for (const [dtype, bad] of [
      ['F32', Number.NaN],
      ['F16', Number.POSITIVE_INFINITY],
    ] as const) {
      const weights = exactWeights(hubCfg);
      weights.get('transformer.h.1.mlp.c_fc.bias')![5] = bad;
      const err = await errorOf(loadCheckpoint(await hub({ dtype }, weights)));
      expect(err.tensor).toBe('h.1.mlp.c_fc.bias');
      expect(err.message).toMatch(
        new RegExp(`'h\\.1\\.mlp\\.c_fc\\.bias': holds a non-finite value \\(${bad} at element 5\\)`),
      );
    }
  });

  it('refuses an unsupported config.json value, naming the field', async () => {
    const err = await errorOf(loadCheckpoint(await hub({ config: { activation_function: 'relu' } })));
    expect(err.field).toBe('activation_function');
    expect(err.message).toMatch(/config\.json: activation_function 'relu' is not supported/);
    const ctx = await errorOf(loadCheckpoint(await hub({ config: { n_ctx: 32 } })));
    expect(ctx.field).toBe('n_ctx');
  });

  it('refuses a folder with only pytorch_model.bin, saying how to get safetensors', async () => {
    const dir = join(root, 'pickle');
    await mkdir(dir);
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ n_positions: 8, n_embd: 8, n_layer: 1, n_head: 2, vocab_size: 10 }),
    );
    await writeFile(join(dir, 'pytorch_model.bin'), 'PK\u0003\u0004');
    const err = await errorOf(loadCheckpoint(dir));
    expect(err.message).toMatch(/only pytorch_model\.bin, a PyTorch pickle, which is never loaded/);
    expect(err.message).toContain('model.safetensors from the Hub');
    expect(err.message).toContain("save_pretrained('<out>', safe_serialization=True)");
  });

  it('refuses a model.safetensors or config.json that is a folder, in one line', async () => {
    const dir = join(root, 'eisdir');
    await writeHubFolder(dir, hubCfg, exactWeights(hubCfg));
    await rm(join(dir, 'model.safetensors'));
    await mkdir(join(dir, 'model.safetensors'));
    expect((await errorOf(loadCheckpoint(dir))).message).toBe(
      `${join(dir, 'model.safetensors')}: is a folder, not a safetensors file; remove or rename it`,
    );
    await rm(join(dir, 'config.json'));
    await mkdir(join(dir, 'config.json'));
    expect((await errorOf(loadCheckpoint(dir))).message).toMatch(
      /config\.json: is a folder, not a JSON file/,
    );
  });

  it('checks every tensor against config.json before reading data', async () => {
    const extra = new Map([
      [
        'h.0.attn.c_attn.lora',
        { dtype: 'F32', shape: [2], bytes: encodeFloats(Float32Array.of(1, 2), 'F32') },
      ],
    ]);
    const unknown = await errorOf(loadCheckpoint(await hub({ extra })));
    expect(unknown.message).toMatch(
      /tensor 'h\.0\.attn\.c_attn\.lora': is not a GPT-2 parameter for this config\.json/,
    );
    const ints = new Map([['h.0.ln_1.bias', { dtype: 'I32', shape: [8], bytes: new Uint8Array(32) }]]);
    const weights = exactWeights(hubCfg);
    weights.delete('transformer.h.0.ln_1.bias');
    const dtype = await errorOf(loadCheckpoint(await hub({ extra: ints }, weights)));
    expect(dtype.message).toMatch(/'h\.0\.ln_1\.bias': has dtype I32; weights must be F32, F16, BF16, F64/);
    const dup = new Map([['transformer.ln_f.bias', { dtype: 'F32', shape: [8], bytes: new Uint8Array(32) }]]);
    expect((await errorOf(loadCheckpoint(await hub({ extra: dup })))).message).toMatch(/appears twice/);
  });

  it('names the tensor and file of a missing or misshapen weight', async () => {
    const missing = exactWeights(hubCfg);
    missing.delete('transformer.h.1.mlp.c_fc.bias');
    const dir = await hub({}, missing);
    expect((await errorOf(loadCheckpoint(dir))).message).toBe(
      `${join(dir, 'model.safetensors')}, tensor 'transformer.h.1.mlp.c_fc.bias': is missing from the checkpoint weights`,
    );
    const reshaped = exactWeights(hubCfg);
    reshaped.delete('transformer.h.0.attn.c_proj.weight');
    const extra = new Map([
      ['h.0.attn.c_proj.weight', { dtype: 'F32', shape: [8, 1, 8], bytes: new Uint8Array(256) }],
    ]);
    const err = await errorOf(loadCheckpoint(await hub({ extra }, reshaped)));
    expect(err.tensor).toBe('h.0.attn.c_proj.weight');
    expect(err.message).toMatch(
      /'h\.0\.attn\.c_proj\.weight': has shape \[8, 1, 8\], config\.json implies \[8, 8\]/,
    );
    await expect(loadCheckpoint(join(root, 'nowhere'))).rejects.toThrow(
      /config\.json: cannot read \(ENOENT\)/,
    );
  });

  it('reports a truncated weights file, a null or garbage config.json in one line', async () => {
    const dir = await hub();
    const bytes = await readFile(join(dir, 'model.safetensors'));
    await writeFile(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.byteLength - 100));
    expect((await errorOf(loadCheckpoint(dir))).message).toMatch(
      /model\.safetensors, tensor '[\w.]+': data_offsets .* run past the \d+-byte data section \(truncated\?\)/,
    );
    await writeFile(join(dir, 'config.json'), 'null');
    expect((await errorOf(loadCheckpoint(dir))).message).toMatch(/config\.json: must hold a JSON object$/);
    await writeFile(join(dir, 'config.json'), '{"n_embd": 8,');
    expect((await errorOf(loadCheckpoint(dir))).message).toMatch(/config\.json: is not valid JSON: /);
  });
});

describe('replacing checkpoints', () => {
  it('never leaves a half-written checkpoint and refuses to replace unrelated folders', async () => {
    const dir = join(root, 'keep');
    await saveCheckpoint(dir, { config: cfg, params: initParams(cfg, 1), bosTokenId: 0, eosTokenId: 0 });
    const before = await filesOf(dir);
    const wrong = new Map(initParams(cfg, 9));
    wrong.delete('transformer.ln_f.bias');
    await expect(
      saveCheckpoint(dir, { config: cfg, params: wrong, bosTokenId: 0, eosTokenId: 0 }),
    ).rejects.toThrow(/tensor 'transformer\.ln_f\.bias': is missing/);
    expect(await filesOf(dir)).toEqual(before);
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);

    const home = join(root, 'home');
    await mkdir(home);
    await writeFile(join(home, 'notes.txt'), 'precious');
    await expect(
      saveCheckpoint(home, { config: cfg, params: initParams(cfg, 1), bosTokenId: 0, eosTokenId: 0 }),
    ).rejects.toThrow(/home: .*refusing to replace it/);
    expect(await readdir(home)).toEqual(['notes.txt']);
  });
});
