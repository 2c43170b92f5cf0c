// The numbers behind the quantized exports, free of any graph: int8 per-column weights
// (q8), 4-bit block weights in onnxruntime's MatMulNBits layout (q4) and IEEE half
// floats (fp16), each with its exact inverse so tests and the float64 reference can
// rebuild the weights the runtime will see.
//
// Legend: a MatMul weight W is [K, N] (K inputs, N outputs, GPT-2's Conv1D layout).
// Every rounding is to nearest; for q8 and q4 |w − deq(w)| ≤ scale / 2 per element.
// Reference: ONNX DequantizeLinear / MatMulInteger; onnxruntime contrib op
// com.microsoft.MatMulNBits (B [N, k_blocks, blob], codes packed low nibble first,
// dequantized as (code − zero_point) · scale).

/** Per-column symmetric int8 weights: W[k, n] ≈ q[k, n] · scales[n]. */
export interface Int8Weight {
  /** [K, N] row-major, in [−127, 127]. */
  readonly q: Int8Array;
  /** [N] float32 scales. */
  readonly scales: Float32Array;
}

/** Quantizes W [K, N] to int8 with one symmetric scale per output column (max |w| / 127). */
export function quantizeInt8Columns(w: Float32Array, K: number, N: number): Int8Weight {
  const absMax = new Float64Array(N);
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) absMax[n] = Math.max(absMax[n]!, Math.abs(w[k * N + n]!));
  const scales = Float32Array.from(absMax, (m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(K * N);
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) {
      const v = Math.round(w[k * N + n]! / scales[n]!);
      q[k * N + n] = Math.max(-127, Math.min(127, v));
    }
  return { q, scales };
}

/** W [K, N] back from `quantizeInt8Columns` (float32, as onnxruntime computes it). */
export function dequantizeInt8Columns(t: Int8Weight, K: number, N: number): Float32Array {
  const w = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[k * N + n] = t.q[k * N + n]! * t.scales[n]!;
  return w;
}

/** Bits per weight and block length of the q4 export (MatMulNBits `bits`, `block_size`). */
export const Q4_BITS = 4;
export const Q4_BLOCK = 32;

/** 4-bit asymmetric block weights in MatMulNBits' layout for a weight stored as rows [N, K]. */
export interface Nibble4Weight {
  /** N rows. */
  readonly n: number;
  /** K columns (the reduction axis), before padding to whole blocks. */
  readonly k: number;
  /** Blocks per row: ceil(K / 32). */
  readonly blocks: number;
  /** [N, blocks, 16] codes, two per byte, low nibble first; padding codes are the zero point. */
  readonly packed: Uint8Array;
  /** [N · blocks] float32 scales. */
  readonly scales: Float32Array;
  /** [N · ceil(blocks / 2)] zero points, two per byte, low nibble first. */
  readonly zeroPoints: Uint8Array;
}

/**
 * Quantizes rows [N, K] (row n is output n's weights along K) to 4 bits in blocks of 32
 * along K: per block, scale = (max − min) / 15 over the block widened to include 0, and a
 * zero point round(−min / scale), so 0 stays exact.
 */
export function quantizeNibbleRows(rows: Float32Array, N: number, K: number): Nibble4Weight {
  const blocks = Math.ceil(K / Q4_BLOCK);
  const blob = (Q4_BLOCK * Q4_BITS) / 8;
  const zpBytes = Math.ceil(blocks / 2);
  const packed = new Uint8Array(N * blocks * blob);
  const scales = new Float32Array(N * blocks);
  const zeroPoints = new Uint8Array(N * zpBytes);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < blocks; j++) {
      const k0 = j * Q4_BLOCK;
      const k1 = Math.min(K, k0 + Q4_BLOCK);
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k1; k++) {
        lo = Math.min(lo, rows[n * K + k]!);
        hi = Math.max(hi, rows[n * K + k]!);
      }
      const scale = Math.fround(hi > lo ? (hi - lo) / 15 : 1);
      const zp = Math.max(0, Math.min(15, Math.round(-lo / scale)));
      scales[n * blocks + j] = scale;
      zeroPoints[n * zpBytes + (j >> 1)]! |= zp << ((j & 1) * 4);
      const base = (n * blocks + j) * blob;
      for (let i = 0; i < Q4_BLOCK; i++) {
        const k = k0 + i;
        const code = k < K ? Math.max(0, Math.min(15, Math.round(rows[n * K + k]! / scale) + zp)) : zp;
        packed[base + (i >> 1)]! |= code << ((i & 1) * 4);
      }
    }
  }
  return { n: N, k: K, blocks, packed, scales, zeroPoints };
}

/** Rows [N, K] back from `quantizeNibbleRows`: (code − zero point) · scale, in float32. */
export function dequantizeNibbleRows(t: Nibble4Weight): Float32Array {
  const { n: N, k: K, blocks } = t;
  const blob = (Q4_BLOCK * Q4_BITS) / 8;
  const zpBytes = Math.ceil(blocks / 2);
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++)
    for (let k = 0; k < K; k++) {
      const j = Math.floor(k / Q4_BLOCK);
      const i = k % Q4_BLOCK;
      const code = (t.packed[(n * blocks + j) * blob + (i >> 1)]! >> ((i & 1) * 4)) & 15;
      const zp = (t.zeroPoints[n * zpBytes + (j >> 1)]! >> ((j & 1) * 4)) & 15;
      out[n * K + k] = (code - zp) * t.scales[n * blocks + j]!;
    }
  return out;
}

/** Transpose of a row-major [R, C] matrix. */
export function transpose2d(x: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = x[r * C + c]!;
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a float32, rounded to nearest even (overflow → ±Inf). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    mant |= 0x800000; // subnormal half: shift the implicit 1 in
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  const rest = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // may carry into the exponent: still correct
  return sign | h;
}

/** The float value of binary16 bits. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A float32 array as binary16 bits. */
export function toFloat16Array(x: Float32Array): Uint16Array {
  return Uint16Array.from(x, toFloat16Bits);
}

/** Binary16 bits back to float32 (exact). */
export function fromFloat16Array(h: Uint16Array): Float32Array {
  return Float32Array.from(h, fromFloat16Bits);
}
