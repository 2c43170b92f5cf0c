// AdamW + clipping graph against a float64 reference written separately below, following
// torch.optim.AdamW and torch.nn.utils.clip_grad_norm_ step by step.

import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../builder.js';
import { SeededRandom } from '../random.js';
import { serializeModel } from '../serialize.js';
import { adamwScalars, addAdamW, OPT_INPUTS } from './adamw.js';

interface RefTensor {
  p: number[];
  m: number[];
  v: number[];
  decay: boolean;
}

/** β1, β2, ε of the reference; GPT-2's values are the defaults of the graph. */
interface Hyper {
  b1: number;
  b2: number;
  eps: number;
}
const GPT2: Hyper = { b1: 0.9, b2: 0.95, eps: 1e-8 };

/** Plain float64 AdamW step with global-norm clipping; returns the pre-clip norm. */
function referenceStep(
  ts: RefTensor[],
  grads: number[][],
  t: number,
  lr: number,
  wd: number,
  clip: number,
  scale: number,
  hyper: Hyper,
): number {
  const g = grads.map((gr) => gr.map((x) => x * scale));
  let sq = 0;
  for (const gr of g) for (const x of gr) sq += x * x;
  const norm = Math.sqrt(sq);
  const c = clip > 0 ? Math.min(1, clip / (norm + 1e-6)) : 1;
  const { b1, b2, eps } = hyper;
  ts.forEach((T, k) => {
    for (let i = 0; i < T.p.length; i++) {
      const gi = g[k]![i]! * c;
      if (T.decay) T.p[i] = T.p[i]! * (1 - lr * wd);
      T.m[i] = b1 * T.m[i]! + (1 - b1) * gi;
      T.v[i] = b2 * T.v[i]! + (1 - b2) * gi * gi;
      const mhat = T.m[i]! / (1 - b1 ** t);
      const vhat = T.v[i]! / (1 - b2 ** t);
      T.p[i] = T.p[i]! - (lr * mhat) / (Math.sqrt(vhat) + eps);
    }
  });
  return norm;
}

async function runCase(clip: number, scale: number, hyper: Hyper = GPT2, passHyper = false) {
  const shapes = [[3, 4], [4]];
  const b = new GraphBuilder('adamw_test');
  const slots = shapes.map((dims, k) => ({
    param: b.input(`p${k}`, 'float32', dims),
    grad: b.input(`g${k}`, 'float32', dims),
    m: b.input(`m${k}`, 'float32', dims),
    v: b.input(`v${k}`, 'float32', dims),
    decay: dims.length === 2,
  }));
  const { updated, gradNorm } = addAdamW(b, slots, (k) => ({ param: `np${k}`, m: `nm${k}`, v: `nv${k}` }));
  b.output(gradNorm, 'norm');
  for (const u of updated) {
    b.output(u.param);
    b.output(u.m);
    b.output(u.v);
  }
  const session = await InferenceSession.create(serializeModel(b.build()));
  const rng = new SeededRandom(7);
  const ref: RefTensor[] = shapes.map((dims) => {
    const n = dims.reduce((a, c) => a * c, 1);
    return {
      p: Array.from({ length: n }, () => rng.uniform() * 2 - 1),
      m: new Array(n).fill(0),
      v: new Array(n).fill(0),
      decay: dims.length === 2,
    };
  });
  let cur: {
    p: Float32Array<ArrayBufferLike>;
    m: Float32Array<ArrayBufferLike>;
    v: Float32Array<ArrayBufferLike>;
  }[] = ref.map((r) => ({
    p: Float32Array.from(r.p),
    m: new Float32Array(r.p.length),
    v: new Float32Array(r.p.length),
  }));
  const maxRel = { p: 0, norm: 0 };
  try {
    for (let t = 1; t <= 5; t++) {
      const grads = ref.map((r) => r.p.map(() => (rng.uniform() * 2 - 1) * 3));
      const lr = 0.01 * t;
      const betas = passHyper ? { beta1: hyper.b1, beta2: hyper.b2, eps: hyper.eps } : {};
      const s = adamwScalars({ t, lr, weightDecay: 0.1, gradScale: scale, gradClip: clip, ...betas });
      const feeds: Record<string, Tensor> = {};
      for (const n of OPT_INPUTS) feeds[n] = new Tensor('float32', Float32Array.of(s[n]), []);
      cur.forEach((c, k) => {
        feeds[`p${k}`] = new Tensor('float32', c.p, shapes[k]!);
        feeds[`g${k}`] = new Tensor('float32', Float32Array.from(grads[k]!), shapes[k]!);
        feeds[`m${k}`] = new Tensor('float32', c.m, shapes[k]!);
        feeds[`v${k}`] = new Tensor('float32', c.v, shapes[k]!);
      });
      const out = await session.run(feeds);
      const norm = referenceStep(ref, grads, t, lr, 0.1, clip, scale, hyper);
      maxRel.norm = Math.max(
        maxRel.norm,
        Math.abs(Number((out['norm']!.data as Float32Array)[0]) - norm) / norm,
      );
      cur = cur.map((_, k) => ({
        p: out[`np${k}`]!.data as Float32Array,
        m: out[`nm${k}`]!.data as Float32Array,
        v: out[`nv${k}`]!.data as Float32Array,
      }));
      cur.forEach((c, k) => {
        c.p.forEach((x, i) => {
          maxRel.p = Math.max(maxRel.p, Math.abs(x - ref[k]!.p[i]!));
        });
      });
    }
  } finally {
    await session.release();
  }
  return { maxRel, ref, cur };
}

describe('AdamW graph', () => {
  it('matches the float64 reference without clipping (grad scale 1/2)', async () => {
    const { maxRel } = await runCase(0, 0.5);
    expect(maxRel.norm).toBeLessThan(1e-5);
    expect(maxRel.p).toBeLessThan(2e-6);
  });

  it('matches the float64 reference with global-norm clipping active', async () => {
    // Gradients have norm ≈ 3·√(16/3) ≈ 7 ≫ 0.5, so every step is clipped.
    const { maxRel, ref } = await runCase(0.5, 1);
    expect(maxRel.norm).toBeLessThan(1e-5);
    expect(maxRel.p).toBeLessThan(2e-6);
    expect(ref[0]!.m.some((x) => Math.abs(x) > 0)).toBe(true);
  });

  it("matches the float64 reference with torch's default betas (0.9, 0.999) and eps 1e-6", async () => {
    const { maxRel } = await runCase(0, 1, { b1: 0.9, b2: 0.999, eps: 1e-6 }, true);
    expect(maxRel.p).toBeLessThan(2e-6);
    // The same graph fed GPT-2's defaults instead would differ from this reference.
    const wrong = await runCase(0, 1, { b1: 0.9, b2: 0.999, eps: 1e-6 }, false);
    expect(wrong.maxRel.p).toBeGreaterThan(1e-4);
  });

  it('rejects hyper-parameters out of range', () => {
    const s = { t: 1, lr: 0.1, weightDecay: 0, gradScale: 1, gradClip: 1 };
    expect(() => adamwScalars({ ...s, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(() => adamwScalars({ ...s, t: 0 })).toThrow(/integer >= 1/);
    expect(() => adamwScalars({ ...s, eps: 0 })).toThrow(/eps must be > 0/);
  });

  it('weight decay touches only 2-D tensors: zero gradients move only the matrix', async () => {
    const b = new GraphBuilder('wd');
    const mk = (k: number, dims: number[]) => ({
      param: b.input(`p${k}`, 'float32', dims),
      grad: b.input(`g${k}`, 'float32', dims),
      m: b.input(`m${k}`, 'float32', dims),
      v: b.input(`v${k}`, 'float32', dims),
      decay: dims.length === 2,
    });
    const { updated } = addAdamW(b, [mk(0, [2, 2]), mk(1, [2])]);
    b.output(updated[0]!.param, 'w');
    b.output(updated[1]!.param, 'bias');
    const session = await InferenceSession.create(serializeModel(b.build()));
    try {
      const s = adamwScalars({ t: 1, lr: 0.5, weightDecay: 0.1, gradScale: 1, gradClip: 1 });
      const feeds: Record<string, Tensor> = {};
      for (const n of OPT_INPUTS) feeds[n] = new Tensor('float32', Float32Array.of(s[n]), []);
      for (const [k, dims] of [
        [0, [2, 2]],
        [1, [2]],
      ] as const) {
        const n = dims.reduce((a: number, c: number) => a * c, 1);
        feeds[`p${k}`] = new Tensor('float32', new Float32Array(n).fill(2), dims);
        for (const x of ['g', 'm', 'v']) feeds[`${x}${k}`] = new Tensor('float32', new Float32Array(n), dims);
      }
      const out = await session.run(feeds);
      expect(Array.from(out['w']!.data as Float32Array)).toEqual(
        new Array(4).fill(Math.fround(2 * (1 - 0.05))),
      );
      expect(Array.from(out['bias']!.data as Float32Array)).toEqual([2, 2]);
    } finally {
      await session.release();
    }
  });
});
