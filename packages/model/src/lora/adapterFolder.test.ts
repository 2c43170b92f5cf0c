// PEFT adapter folders: names and config as PEFT writes them, a byte-identical round
// trip, and clear refusals of PEFT features we do not implement.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsFile } from '../checkpoint/safetensors.js';
import { validateConfig } from '../config.js';
import { ADAPTER_FILES, isAdapterFolder, loadAdapter, saveAdapter } from './adapterFolder.js';
import { resolveLora } from './config.js';
import { initLora } from './params.js';

const cfg = validateConfig({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0 });
const lora = resolveLora({ rank: 4, alpha: 16, targets: ['c_attn', 'mlp.c_proj'], dropout: 0.05 });
const dirs: string[] = [];
const tmp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'adapter-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('adapter folders', () => {
  it("write PEFT's config fields and tensor names, and round-trip byte-identically", async () => {
    const root = await tmp();
    const a = join(root, 'a');
    const params = initLora(cfg, lora, 1);
    for (const t of params.values()) {
      const d = t.data as Float32Array;
      for (let i = 0; i < d.length; i++) d[i] = Math.sin(i + d.length);
    }
    await saveAdapter(a, { lora, config: cfg, params, baseModel: '/models/gpt2' });
    expect(await isAdapterFolder(a)).toBe(true);
    const conf = JSON.parse(await readFile(join(a, ADAPTER_FILES.config), 'utf8'));
    expect(conf).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 4,
      lora_alpha: 16,
      lora_dropout: 0.05,
      target_modules: ['c_attn', 'mlp.c_proj'],
      fan_in_fan_out: true,
      bias: 'none',
      base_model_name_or_path: '/models/gpt2',
    });
    const { tensors } = await readSafetensorsFile(join(a, ADAPTER_FILES.weights));
    expect(tensors.get('base_model.model.transformer.h.1.attn.c_attn.lora_A.weight')?.dims).toEqual([4, 8]);
    expect(tensors.get('base_model.model.transformer.h.1.attn.c_attn.lora_B.weight')?.dims).toEqual([24, 4]);
    expect(tensors.get('base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight')?.dims).toEqual([4, 32]);
    expect(tensors.size).toBe(8);

    const loaded = await loadAdapter(a, cfg);
    expect(loaded.lora).toEqual(lora);
    expect(loaded.baseModel).toBe('/models/gpt2');
    const b = join(root, 'b');
    await saveAdapter(b, {
      lora: loaded.lora,
      config: cfg,
      params: loaded.params,
      baseModel: loaded.baseModel!,
    });
    for (const f of Object.values(ADAPTER_FILES))
      expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f))), f).toBe(0);
  });

  it('reads "c_proj" as both projections, as PEFT matches it', async () => {
    const a = join(await tmp(), 'a');
    const both = resolveLora({ rank: 2, targets: ['attn.c_proj', 'mlp.c_proj'] });
    await saveAdapter(a, { lora: both, config: cfg, params: initLora(cfg, both, 1), baseModel: 'gpt2' });
    const file = join(a, ADAPTER_FILES.config);
    const conf = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...conf, target_modules: ['c_proj'] }));
    expect((await loadAdapter(a, cfg)).lora.targets).toEqual(['attn.c_proj', 'mlp.c_proj']);
  });

  it('refuses DoRA, rsLoRA and regex target_modules, naming the field', async () => {
    const a = join(await tmp(), 'a');
    await saveAdapter(a, { lora, config: cfg, params: initLora(cfg, lora, 1), baseModel: 'gpt2' });
    const file = join(a, ADAPTER_FILES.config);
    const conf = JSON.parse(await readFile(file, 'utf8'));
    for (const [field, value] of [
      ['use_dora', true],
      ['use_rslora', true],
      ['target_modules', '.*c_attn'],
      ['peft_type', 'IA3'],
    ] as const) {
      await writeFile(file, JSON.stringify({ ...conf, [field]: value }));
      await expect(loadAdapter(a, cfg)).rejects.toThrow(field);
    }
  });

  it('refuses an adapter made for another model shape', async () => {
    const a = join(await tmp(), 'a');
    await saveAdapter(a, { lora, config: cfg, params: initLora(cfg, lora, 1), baseModel: 'gpt2' });
    const wider = validateConfig({ ...cfg, nEmbd: 16 });
    await expect(loadAdapter(a, wider)).rejects.toThrow(/has shape \[4, 8\], expected \[4, 16\]/);
  });
});
