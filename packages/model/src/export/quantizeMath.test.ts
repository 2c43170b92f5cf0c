import { SeededRandom } from '@spinettai/graph';
import { describe, expect, it } from 'vitest';
import {
  dequantizeInt8Columns,
  dequantizeNibbleRows,
  fromFloat16Bits,
  quantizeInt8Columns,
  quantizeNibbleRows,
  toFloat16Bits,
} from './quantizeMath.js';

/** Normal-ish random weights with a few outliers, as trained weights have. */
function weights(n: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed, 3);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = (rng.nextUint32() / 2 ** 32 - 0.5) * (i % 97 === 0 ? 1 : 0.1);
  return w;
}

// The bound is scale/2 up to the float32 rounding of (code · scale) and of the scale itself.
const slack = 1 + 2 ** -20;

describe('int8 per-column weights', () => {
  it('dequantize within half a step of every weight, per column', () => {
    const [K, N] = [48, 20];
    const w = weights(K * N, 1);
    w.fill(0, 0, N); // a zero row
    for (let k = 0; k < K; k++) w[k * N + 7] = 0; // an all-zero column
    const q = quantizeInt8Columns(w, K, N);
    const back = dequantizeInt8Columns(q, K, N);
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) {
        const err = Math.abs(w[k * N + n]! - back[k * N + n]!);
        expect(err).toBeLessThanOrEqual((q.scales[n]! / 2) * slack);
      }
    expect(back[7]).toBe(0);
    // The column's largest |w| maps to ±127 exactly.
    let maxCol0 = 0;
    for (let k = 0; k < K; k++) maxCol0 = Math.max(maxCol0, Math.abs(w[k * N]!));
    expect(q.scales[0]).toBe(Math.fround(maxCol0 / 127));
  });
});

describe('4-bit block weights (MatMulNBits layout)', () => {
  it.each([
    [5, 64], // whole blocks
    [3, 80], // 3 blocks, the last padded; odd block count packs one zero point alone
  ])('N=%i K=%i: within half a step per block; layout as documented', (N, K) => {
    const rows = weights(N * K, 2);
    const q = quantizeNibbleRows(rows, N, K);
    const blocks = Math.ceil(K / 32);
    expect(q.packed.length).toBe(N * blocks * 16);
    expect(q.scales.length).toBe(N * blocks);
    expect(q.zeroPoints.length).toBe(N * Math.ceil(blocks / 2));
    const back = dequantizeNibbleRows(q);
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++) {
        const s = q.scales[n * blocks + Math.floor(k / 32)]!;
        expect(Math.abs(rows[n * K + k]! - back[n * K + k]!)).toBeLessThanOrEqual((s / 2) * slack);
      }
  });

  it('packs codes low nibble first and keeps zero exact', () => {
    // One row, one block: 0, then +step, -step…; min −1, max 2 → scale 0.2, zero point 5.
    const row = new Float32Array(32);
    row[0] = 0;
    row[1] = 2;
    row[2] = -1;
    row[3] = 0.2;
    const q = quantizeNibbleRows(row, 1, 32);
    expect(q.scales[0]).toBe(Math.fround(0.2));
    expect(q.zeroPoints[0]).toBe(5);
    expect(q.packed[0]).toBe(5 | (15 << 4)); // codes 5 (0) and 15 (2)
    expect(q.packed[1]).toBe(0 | (6 << 4)); // codes 0 (−1) and 6 (0.2)
    expect(dequantizeNibbleRows(q)[0]).toBe(0);
  });
});

describe('float16', () => {
  // Bit patterns from the IEEE 754 binary16 tables (independent of this code).
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up to +Inf
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -14, 0x0400], // smallest normal
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [1 + 2 ** -11, 0x3c00], // a tie rounds to even
    [1 + 3 * 2 ** -11, 0x3c02],
    [0, 0],
  ])('%f ↔ 0x%s', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
    if (bits !== 0x7c00 && value !== 1 + 2 ** -11 && value !== 1 + 3 * 2 ** -11)
      expect(Math.abs(fromFloat16Bits(bits) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11);
  });

  it('round-trips every finite half exactly', () => {
    const bad: number[] = [];
    for (let h = 0; h < 0x10000; h++)
      if ((h & 0x7c00) !== 0x7c00 && toFloat16Bits(fromFloat16Bits(h)) !== h) bad.push(h);
    expect(bad).toEqual([]);
  });
});
