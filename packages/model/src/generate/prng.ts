// A small seeded pseudo-random generator for sampling: the same seed gives the same
// stream on every platform, so the same seed gives the same generated text.
// Algorithm: SplitMix32-style seeding into Mulberry32 (Tommy Ettinger's public-domain design).

/** A deterministic stream of uniform numbers in [0, 1). */
export interface Rng {
  /** The next uniform number in [0, 1). */
  next(): number;
}

/** Mulberry32 seeded from any safe integer (the high and low 32 bits are mixed). */
export function createRng(seed: number): Rng {
  let state = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32) ^ 0x9e3779b9) >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
