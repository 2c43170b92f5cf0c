// The project's one seeded pseudo-random generator: xoshiro128** over four uint32 words,
// seeded through splitmix32 from (seed, stream). It serves weight initialisation, dropout
// seeds, token sampling, the trainer's batch sampler (whose state is saved in
// trainer_state.json as `rng.sampler`) and test data. The same seed gives the same stream
// on every platform; the whole state is four words, so a run can stop and resume exactly.
// Not cryptographic.
// Reference: D. Blackman & S. Vigna, "Scrambled linear pseudorandom number generators",
// ACM TOMS 2021, https://prng.di.unimi.it/ (xoshiro128**); splitmix32 is the 32-bit
// variant of Steele, Lea & Flood's SplitMix ("Fast splittable pseudorandom number
// generators", OOPSLA 2014) with MurmurHash3's finaliser.

import { GraphError } from './errors.js';

/** A generator's whole state: four uint32 words (never all zero). */
export type RandomState = readonly [number, number, number, number];

/** A seed, stream, state or bound the generator cannot use. */
export class SeededRandomError extends GraphError {
  override readonly name = 'SeededRandomError';
}

const TWO_32 = 4294967296;

/**
 * Deterministic random numbers from `(seed, stream)`. Different streams of one seed are
 * independent-looking sequences (e.g. one per parameter tensor). `state()` and
 * `SeededRandom.fromState` round-trip the uniform stream exactly.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second value of the last Box–Muller pair (not part of `state()`). */
  private spare: number | undefined;

  /**
   * @param seed any finite number; its integer part is used, including the bits above 2³²
   * @param stream a sub-stream id (default 0), e.g. a tensor index or a step number
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isFinite(seed) || !Number.isFinite(stream)) {
      throw new SeededRandomError(
        `SeededRandom needs a finite seed and stream, got seed ${seed}, stream ${stream}; pass an integer seed`,
      );
    }
    const hi = Math.trunc(seed / TWO_32); // 0 for |seed| < 2³², so those seeds use the low word only
    let x = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9) ^ Math.imul(hi, 0x85ebca6b)) >>> 0;
    const splitmix32 = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32() | 1; // never the all-zero state (a fixed point of xoshiro)
  }

  /**
   * A generator continuing from a saved `state()` (e.g. read back from JSON).
   * Throws SeededRandomError unless it is four uint32 words, not all zero.
   */
  static fromState(state: readonly number[]): SeededRandom {
    if (
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_32) ||
      state.every((w) => w === 0)
    ) {
      throw new SeededRandomError(
        `random state must be four uint32 words, not all zero, got ${JSON.stringify(state)}; the checkpoint's trainer_state.json (rng.sampler) is damaged`,
      );
    }
    const r = new SeededRandom(0);
    [r.s0, r.s1, r.s2, r.s3] = state as RandomState;
    return r;
  }

  /** The current state as four uint32 words (a copy). A cached normal() spare is not included. */
  state(): RandomState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** A uniform 32-bit unsigned integer (one xoshiro128** step). */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in the open interval (0, 1), on a grid of 2⁻³². */
  uniform(): number {
    return (this.nextUint32() + 0.5) / TWO_32;
  }

  /** A uniform integer in [0, n), unbiased (rejection sampling); 1 ≤ n ≤ 2³². */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) {
      throw new SeededRandomError(`nextInt needs an integer bound in [1, 2^32], got ${n}`);
    }
    const limit = TWO_32 - (TWO_32 % n); // largest multiple of n that fits in 32 bits
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }

  /** A standard normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
