import { describe, expect, it } from 'vitest';
import { SeededRandom, SeededRandomError } from './random.js';

const M32 = 0xffffffffn;

/** xoshiro128** written separately with BigInt arithmetic, from the published C code. */
function referenceXoshiro(state: readonly number[]): () => number {
  let [s0, s1, s2, s3] = [0, 1, 2, 3].map((i) => BigInt(state[i] ?? 0)) as [bigint, bigint, bigint, bigint];
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;
  return () => {
    const result = (rotl((s1 * 5n) & M32, 7n) * 9n) & M32;
    const t = (s1 << 9n) & M32;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11n);
    return Number(result);
  };
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}

describe('SeededRandom', () => {
  it('matches an independent xoshiro128** reference from the same state', () => {
    for (const state of [
      [1, 2, 3, 4],
      [0xffffffff, 0x80000000, 0x12345678, 0xdeadbeef],
      new SeededRandom(1337, 3).state(),
    ]) {
      const r = SeededRandom.fromState(state);
      const ref = referenceXoshiro(state);
      for (let i = 0; i < 1000; i++) expect(r.nextUint32()).toBe(ref());
    }
  });

  it('is deterministic by (seed, stream) and differs between seeds, streams and high seed bits', () => {
    const draw = (seed: number, stream?: number) => {
      const r = new SeededRandom(seed, stream);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42, 5)).toEqual(draw(42, 5));
    expect(draw(43)).not.toEqual(draw(42));
    expect(draw(42, 1)).not.toEqual(draw(42));
    expect(draw(2 ** 40 + 1)).not.toEqual(draw(1));
  });

  it('continues exactly from a saved state (through JSON)', () => {
    const a = new SeededRandom(1, 0x5eed);
    for (let i = 0; i < 10; i++) a.nextInt(7);
    const saved = JSON.parse(JSON.stringify(a.state())) as number[];
    expect(saved).toHaveLength(4);
    for (const w of saved) expect(Number.isInteger(w) && w >= 0 && w <= 0xffffffff).toBe(true);
    const b = SeededRandom.fromState(saved);
    expect(Array.from({ length: 50 }, () => b.nextInt(1000))).toEqual(
      Array.from({ length: 50 }, () => a.nextInt(1000)),
    );
    expect(b.state()).toEqual(a.state());
  });

  it('rejects malformed states and bounds', () => {
    expect(() => SeededRandom.fromState([1, 2, 3])).toThrow(SeededRandomError);
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(SeededRandomError);
    expect(() => SeededRandom.fromState([1, 2, 3, 2 ** 32])).toThrow(/four uint32 words/);
    expect(() => SeededRandom.fromState([1, 2, 3, 1.5])).toThrow(SeededRandomError);
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(SeededRandomError);
    expect(() => new SeededRandom(1).nextInt(2.5)).toThrow(SeededRandomError);
    expect(() => new SeededRandom(Number.NaN)).toThrow(SeededRandomError);
  });

  it('draws uniform integers in [0, n) and uniforms in (0, 1)', () => {
    const r = new SeededRandom(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20000; i++) counts[r.nextInt(10)]!++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200); // ≈ 4.7σ
    expect(new Set(Array.from({ length: 100 }, () => r.nextInt(1))).size).toBe(1);
    const big = Array.from({ length: 2000 }, () => r.nextInt(2 ** 32));
    expect(Math.max(...big)).toBeGreaterThan(2 ** 31);
    const us = Array.from({ length: 10000 }, () => r.uniform());
    expect(Math.min(...us)).toBeGreaterThan(0);
    expect(Math.max(...us)).toBeLessThan(1);
    expect(Math.abs(meanStd(us).mean - 0.5)).toBeLessThan(0.02);
  });

  it('produces standard normals and balanced bits', () => {
    const r = new SeededRandom(123);
    const s = meanStd(Array.from({ length: 20000 }, () => r.normal()));
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.03);
    const u = new SeededRandom(5);
    let high = 0;
    for (let i = 0; i < 20000; i++) if (u.nextUint32() >= 2 ** 31) high++;
    expect(high / 20000).toBeGreaterThan(0.48);
    expect(high / 20000).toBeLessThan(0.52);
  });
});
