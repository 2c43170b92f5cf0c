import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng } from './prng.js';

describe('Rng', () => {
  it('is deterministic by seed and differs between seeds', () => {
    const a = Rng.seeded(42);
    const b = Rng.seeded(42);
    const c = Rng.seeded(43);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });
  it('continues exactly from a saved state', () => {
    const a = Rng.seeded(1);
    for (let i = 0; i < 10; i++) a.nextFloat();
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
    expect(Array.from({ length: 8 }, () => b.nextInt(1000))).toEqual(
      Array.from({ length: 8 }, () => a.nextInt(1000)),
    );
  });
  it('draws roughly uniform integers', () => {
    const r = Rng.seeded(3);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) counts[r.nextInt(10)]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });
  it('derives different dropout seeds per step', () => {
    expect(deriveSeed(5, 10)).not.toBe(deriveSeed(5, 20));
    expect(deriveSeed(5, 10)).toBe(deriveSeed(5, 10));
  });
  it('rejects a malformed state', () => {
    expect(() => Rng.fromState([1, 2, 3])).toThrow(RangeError);
  });
});
