import { describe, expect, it } from 'vitest';
import { validateConfig } from './config.js';
import { countParams, initParams, paramShapes } from './params.js';

const cfg = validateConfig({ vocabSize: 500, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 64 });

function stats(d: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]!;
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / d.length) };
}

describe('paramShapes / countParams', () => {
  it('lists GPT-2 names in state-dict order with Conv1D layouts', () => {
    const s = paramShapes(cfg);
    const names = [...s.keys()];
    expect(names.slice(0, 4)).toEqual([
      'transformer.wte.weight',
      'transformer.wpe.weight',
      'transformer.h.0.ln_1.weight',
      'transformer.h.0.ln_1.bias',
    ]);
    expect(names.at(-1)).toBe('transformer.ln_f.bias');
    expect(names.length).toBe(2 + 12 * 4 + 2);
    expect(s.get('transformer.h.3.attn.c_attn.weight')).toEqual([64, 192]);
    expect(s.get('transformer.h.3.mlp.c_proj.weight')).toEqual([256, 64]);
    expect(names.some((n) => n.startsWith('lm_head'))).toBe(false);
  });

  it('counts GPT-2 small at 124,439,808 parameters', () => {
    const small = validateConfig({ vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768 });
    expect(countParams(small)).toBe(124_439_808);
  });
});

describe('initParams', () => {
  it('follows GPT-2 initialisation statistics', () => {
    const p = initParams(cfg, 7);
    const wte = stats(p.get('transformer.wte.weight')!.data as Float32Array);
    expect(Math.abs(wte.mean)).toBeLessThan(0.001);
    expect(wte.std).toBeGreaterThan(0.0195);
    expect(wte.std).toBeLessThan(0.0205);
    const proj = stats(p.get('transformer.h.1.mlp.c_proj.weight')!.data as Float32Array);
    expect(proj.std).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(stats(p.get('transformer.h.1.attn.c_proj.weight')!.data as Float32Array).std).toBeCloseTo(
      0.02 / Math.sqrt(8),
      3,
    );
    expect(stats(p.get('transformer.h.1.attn.c_attn.weight')!.data as Float32Array).std).toBeCloseTo(0.02, 3);
    expect(
      Array.from(p.get('transformer.h.0.attn.c_attn.bias')!.data as Float32Array).every((x) => x === 0),
    ).toBe(true);
    expect(Array.from(p.get('transformer.ln_f.weight')!.data as Float32Array).every((x) => x === 1)).toBe(
      true,
    );
    expect(Array.from(p.get('transformer.h.2.ln_2.bias')!.data as Float32Array).every((x) => x === 0)).toBe(
      true,
    );
    for (const [name, dims] of paramShapes(cfg)) expect(p.get(name)!.dims).toEqual(dims);
  });

  it('is deterministic from the seed and differs across seeds and tensors', () => {
    const a = initParams(cfg, 1).get('transformer.h.0.mlp.c_fc.weight')!.data as Float32Array;
    const b = initParams(cfg, 1).get('transformer.h.0.mlp.c_fc.weight')!.data as Float32Array;
    const c = initParams(cfg, 2).get('transformer.h.0.mlp.c_fc.weight')!.data as Float32Array;
    const d = initParams(cfg, 1).get('transformer.h.1.mlp.c_fc.weight')!.data as Float32Array;
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(Array.from(d)).not.toEqual(Array.from(a));
  });
});
