import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config.js';
import { initParams, paramShapes } from '../params.js';
import { CheckpointError } from './errors.js';
import { loadCheckpoint, saveCheckpoint } from './hfFolder.js';
import { encodeSafetensors } from './safetensors.js';

const cfg = validateConfig({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0.1 });
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesOf(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f));
  return out;
}

/** Writes a folder laid out as Python transformers saves GPT2LMHeadModel (no `transformer.` in some files, buffers, lm_head). */
async function pythonStyleFolder(
  dir: string,
  drop?: string,
  reshape?: string,
): Promise<Map<string, TensorData>> {
  const params = initParams(cfg, 5);
  await mkdir(dir, { recursive: true });
  const tensors = new Map<string, TensorData>();
  for (const [name, t] of params) {
    if (name === drop) continue;
    const bare = name.replace(/^transformer\./, '');
    tensors.set(bare, name === reshape ? { ...t, dims: [t.dims[0]!, 1, ...t.dims.slice(1)] } : t);
  }
  tensors.set('lm_head.weight', params.get('transformer.wte.weight')!);
  const tril = new Uint8Array(64).map((_, i) => (i % 8 <= Math.floor(i / 8) ? 1 : 0));
  for (let i = 0; i < cfg.nLayer; i++) {
    tensors.set(`h.${i}.attn.bias`, { dtype: 'bool', dims: [1, 1, 8, 8], data: tril });
    tensors.set(`h.${i}.attn.masked_bias`, { dtype: 'float32', dims: [], data: Float32Array.from([-1e4]) });
  }
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      _name_or_path: 'tiny',
      activation_function: 'gelu_new',
      architectures: ['GPT2LMHeadModel'],
      attn_pdrop: 0.1,
      bos_token_id: 3,
      embd_pdrop: 0.1,
      eos_token_id: 4,
      layer_norm_epsilon: 1e-5,
      model_type: 'gpt2',
      n_ctx: 8,
      n_embd: 8,
      n_head: 2,
      n_inner: null,
      n_layer: 2,
      n_positions: 8,
      resid_pdrop: 0.1,
      task_specific_params: { 'text-generation': { do_sample: true } },
      torch_dtype: 'float32',
      transformers_version: '4.40.0',
      vocab_size: 20,
    }),
  );
  return params;
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('writes a complete HF folder; save → load → save is byte-identical', async () => {
    const tok = join(root, 'tok');
    await mkdir(tok);
    await writeFile(join(tok, 'tokenizer.json'), '{"version":"1.0"}');
    await writeFile(join(tok, 'tokenizer_config.json'), '{"model_max_length":8}');
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
    expect(Object.keys(first)).toEqual([
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
    // Overwriting in place keeps the folder complete and leaves no temp folders behind.
    await saveCheckpoint(a, {
      config: cfg,
      params: initParams(cfg, 2),
      bosTokenId: 0,
      eosTokenId: 0,
      tokenizerDir: a,
      extraFiles: { 'trainer_state.json': '{}' },
    });
    expect(Object.keys(await filesOf(a))).toContain('trainer_state.json');
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('loads a folder written the way Python transformers writes it', async () => {
    const dir = join(root, 'py');
    const params = await pythonStyleFolder(dir);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.config).toEqual(cfg);
    expect(loaded.bosTokenId).toBe(3);
    expect(loaded.eosTokenId).toBe(4);
    expect(loaded.generationConfig).toBeUndefined();
    expect([...loaded.params.keys()]).toEqual([...params.keys()]);
    expect(loaded.params.get('transformer.h.1.attn.c_attn.weight')).toEqual(
      params.get('transformer.h.1.attn.c_attn.weight'),
    );
  });

  it('loads sharded float16 weights through model.safetensors.index.json', async () => {
    const dir = join(root, 'sharded');
    const params = await pythonStyleFolder(dir);
    await rm(join(dir, 'model.safetensors'));
    // float32 → float16 bits for values exactly representable in half precision.
    const toHalf = (v: number): number => {
      const q = Math.round(v * 1024) / 1024; // the test data below is built from such values
      if (q === 0) return 0;
      const e = Math.floor(Math.log2(Math.abs(q)));
      const frac = Math.round((Math.abs(q) / 2 ** e - 1) * 1024);
      return (q < 0 ? 0x8000 : 0) | ((e + 15) << 10) | frac;
    };
    const shards: Map<string, TensorData>[] = [new Map(), new Map()];
    const weightMap: Record<string, string> = {};
    const want = new Map<string, number[]>();
    [...params.entries()].forEach(([name, t], k) => {
      const vals = Array.from(t.data as Float32Array, (v, i) =>
        name.endsWith('.weight') ? ((i % 9) - 4) / 8 : v,
      );
      want.set(name, vals);
      const half: TensorData = { dtype: 'float16', dims: t.dims, data: Uint16Array.from(vals, toHalf) };
      shards[k % 2]!.set(name, half);
      weightMap[name] = `model-0000${(k % 2) + 1}-of-00002.safetensors`;
    });
    for (let s = 0; s < 2; s++)
      await writeFile(
        join(dir, `model-0000${s + 1}-of-00002.safetensors`),
        encodeSafetensors(shards[s]!, { format: 'pt' }),
      );
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const loaded = await loadCheckpoint(dir);
    for (const [name, vals] of want) {
      expect(loaded.params.get(name)!.dtype).toBe('float32');
      expect(Array.from(loaded.params.get(name)!.data as Float32Array)).toEqual(vals);
    }
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { a: '../../etc/passwd' } }),
    );
    await expect(loadCheckpoint(dir)).rejects.toThrow(/invalid shard '..\/..\/etc\/passwd'/);
  });

  it('names the tensor and file of a missing or misshapen weight', async () => {
    await pythonStyleFolder(join(root, 'missing'), 'transformer.h.1.mlp.c_fc.bias');
    await expect(loadCheckpoint(join(root, 'missing'))).rejects.toThrow(
      /missing.model\.safetensors, tensor 'transformer\.h\.1\.mlp\.c_fc\.bias': is missing/,
    );
    await pythonStyleFolder(join(root, 'shape'), undefined, 'transformer.h.0.attn.c_proj.weight');
    const err = await loadCheckpoint(join(root, 'shape')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).tensor).toBe('h.0.attn.c_proj.weight');
    expect((err as Error).message).toMatch(
      /shape.model\.safetensors, tensor 'h\.0\.attn\.c_proj\.weight': has shape \[8, 1, 8\], config.json implies \[8, 8\]/,
    );
    await expect(loadCheckpoint(join(root, 'nowhere'))).rejects.toThrow(
      /config\.json: cannot read \(ENOENT\)/,
    );
  });

  it('never leaves a half-written checkpoint and refuses to replace unrelated folders', async () => {
    const dir = join(root, 'keep');
    await saveCheckpoint(dir, { config: cfg, params: initParams(cfg, 1), bosTokenId: 0, eosTokenId: 0 });
    const before = await filesOf(dir);
    // Fails while building the temp folder (an extra file collides with config.json).
    await expect(
      saveCheckpoint(dir, {
        config: cfg,
        params: initParams(cfg, 9),
        bosTokenId: 0,
        eosTokenId: 0,
        extraFiles: { 'config.json': '{}' },
      }),
    ).rejects.toThrow(/EEXIST/);
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
    ).rejects.toThrow(/without config\.json; refusing to replace it/);
    expect(await readdir(home)).toEqual(['notes.txt']);
  });
});
