// loadModelWeights: a checkpoint as it is, an adapter merged into the base named by
// base_model_name_or_path or by `base`, and one-line refusals of a base that is not here.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../checkpoint/errors.js';
import { saveCheckpoint } from '../checkpoint/hfFolder.js';
import { validateConfig } from '../config.js';
import { initParams } from '../params.js';
import { ADAPTER_FILES, saveAdapter } from './adapterFolder.js';
import { resolveLora } from './config.js';
import { loadModelWeights } from './loadModel.js';
import { initLora, mergeLora } from './params.js';

const cfg = validateConfig({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0 });
const lora = resolveLora({ rank: 2, targets: ['c_attn', 'c_fc'] });
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function setup(): Promise<{ base: string; adapter: string; params: ReturnType<typeof initLora> }> {
  const root = await mkdtemp(join(tmpdir(), 'load-model-'));
  dirs.push(root);
  const base = join(root, 'base');
  await saveCheckpoint(base, { config: cfg, params: initParams(cfg, 3), bosTokenId: 0, eosTokenId: 0 });
  const params = initLora(cfg, lora, 4);
  for (const [n, t] of params)
    if (n.endsWith('lora_B.weight')) {
      const d = t.data as Float32Array;
      for (let i = 0; i < d.length; i++) d[i] = Math.cos(i);
    }
  const adapter = join(root, 'adapter');
  await saveAdapter(adapter, { lora, config: cfg, params, baseModel: base });
  return { base, adapter, params };
}

describe('loadModelWeights', () => {
  it('returns a checkpoint as it is, and an adapter merged into its base', async () => {
    const { base, adapter, params } = await setup();
    const plain = await loadModelWeights(base);
    expect(plain.adapter).toBeUndefined();
    expect(plain.modelDir).toBe(base);
    const merged = await loadModelWeights(adapter);
    expect(merged.modelDir).toBe(base);
    expect(merged.adapter?.lora).toEqual(lora);
    const expected = mergeLora(plain.params, params, cfg, lora);
    for (const [name, t] of expected) expect(merged.params.get(name)!.data, name).toEqual(t.data);
    const w = 'transformer.h.1.mlp.c_fc.weight';
    expect(merged.params.get(w)!.data).not.toEqual(plain.params.get(w)!.data);
  });

  it('takes `base` over base_model_name_or_path, and refuses a base that is not a folder here', async () => {
    const { base, adapter } = await setup();
    const cfgPath = join(adapter, ADAPTER_FILES.config);
    const conf = JSON.parse(await readFile(cfgPath, 'utf8'));
    await writeFile(cfgPath, JSON.stringify({ ...conf, base_model_name_or_path: 'gpt2' }));
    const err = await loadModelWeights(adapter).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/'gpt2'.*--base/);
    expect((await loadModelWeights(adapter, { base })).modelDir).toBe(base);
    await expect(loadModelWeights(adapter, { base: join(base, 'nope') })).rejects.toThrow(/--base/);
    await expect(loadModelWeights(adapter, { bsae: base } as never)).rejects.toThrow(/unknown option 'bsae'/);
  });
});
