// Matrix products: MatMul and Gemm, each op's shape rule beside its gradient rule.
// In the gradients, the common transformer case, activation (…, K) · weight (K, N), is
// flattened to one 2-D Gemm per gradient: the weight gradient Aᵀ·dY sums over every
// batch row inside a single GEMM (no (B, K, N) intermediate and no ReduceSum), and
// Gemm's trans flags replace Transpose nodes. Batched products (attention) use MatMul
// on swapped operands; the engine sums broadcast batch axes.

import type { GradContext } from '../autodiff/context.js';
import { isStatic } from '../autodiff/context.js';
import type { Dim, Shape } from '../ir.js';
import { broadcastShapes, fail, type InferContext, input, intAttr, type OpTable } from '../shapes.js';

/** numpy.matmul's output shape (rank-1 operands promoted and their axis dropped again). */
function matmulShape(c: InferContext, a: Shape, b: Shape): Dim[] {
  if (a.length === 0 || b.length === 0) fail(c, 'MatMul inputs must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    fail(c, `inner dims differ: [${a.join(', ')}] · [${b.join(', ')}]`);
  }
  const batch = broadcastShapes(c, [a2.slice(0, -2), b2.slice(0, -2)]);
  const out = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}

// (…, K) · (K, N) with static K and N: flatten the batch dims into rows.
function weightMatMul(c: GradContext): void {
  const [a, w, dY] = [c.input(0), c.input(1), c.dY()];
  const k = a.shape[a.shape.length - 1] as number;
  const n = w.shape[1] as number;
  const dY2 = a.shape.length === 2 ? dY : c.op('Reshape', [dY, c.ints([-1, n])]); // (M, N)
  if (c.needsGrad(0)) {
    const dA2 = c.op('Gemm', [dY2, w], { transB: 1 }); // (M, K)
    c.setGrad(0, c.reshapeLike(dA2, a));
  }
  if (c.needsGrad(1)) {
    const a2 = a.shape.length === 2 ? a : c.op('Reshape', [a, c.ints([-1, k])]); // (M, K)
    c.setGrad(1, c.op('Gemm', [a2, dY2], { transA: 1 })); // (K, N)
  }
}

// Batched / broadcast product. A rank-1 A acts as (1, K), a rank-1 B as (K, 1); dY gets
// the dropped axis back first and the gradient loses it again.
function batchedMatMul(c: GradContext): void {
  const [a0, b0] = [c.input(0), c.input(1)];
  const [aVec, bVec] = [a0.shape.length === 1, b0.shape.length === 1];
  const a = aVec ? c.op('Unsqueeze', [a0, c.ints([0])]) : a0; // (…, M, K)
  const b = bVec ? c.op('Unsqueeze', [b0, c.ints([1])]) : b0; // (…, K, N)
  const rank = Math.max(a.shape.length, b.shape.length);
  const restored = [...(aVec ? [rank - 2] : []), ...(bVec ? [rank - 1] : [])];
  const dY = restored.length > 0 ? c.op('Unsqueeze', [c.dY(), c.ints(restored)]) : c.dY(); // (…, M, N)
  if (c.needsGrad(0)) {
    const dA = c.op('MatMul', [dY, c.swapLastTwo(b)]); // (…, M, K)
    c.setGrad(0, aVec ? c.op('Squeeze', [dA, c.ints([-2])]) : dA);
  }
  if (c.needsGrad(1)) {
    const dB = c.op('MatMul', [c.swapLastTwo(a), dY]); // (…, K, N)
    c.setGrad(1, bVec ? c.op('Squeeze', [dB, c.ints([-1])]) : dB);
  }
}

export const linalgOps: OpTable = {
  // Y = A·B (batched, broadcast)  →  dA = dY·Bᵀ, dB = Aᵀ·dY  (broadcast batch axes summed by the engine)
  MatMul: {
    shape: (c) => [{ dtype: input(c, 0).dtype, shape: matmulShape(c, input(c, 0).shape, input(c, 1).shape) }],
    grad: {
      backward: (c) => {
        const [a, b] = [c.input(0), c.input(1)];
        const k = a.shape[a.shape.length - 1];
        if (b.shape.length === 2 && isStatic(b.shape) && typeof k === 'number') weightMatMul(c);
        else batchedMatMul(c);
      },
    },
  },

  // Y = α·op(A)·op(B) + β·C  →  d op(A) = α·dY·op(B)ᵀ, d op(B) = α·op(A)ᵀ·dY, dC = β·dY
  // (each written as one Gemm with trans flags, so no Transpose node is needed)
  Gemm: {
    shape: (c) => {
      const a = input(c, 0).shape;
      const b = input(c, 1).shape;
      if (a.length !== 2 || b.length !== 2) fail(c, 'Gemm inputs must be 2-D');
      const m = intAttr(c, 'transA', 0) ? a[1]! : a[0]!;
      const n = intAttr(c, 'transB', 0) ? b[0]! : b[1]!;
      return [{ dtype: input(c, 0).dtype, shape: [m, n] }];
    },
    grad: {
      backward: (c) => {
        const [a, b, dY] = [c.input(0), c.input(1), c.dY()];
        const alpha = c.floatAttr('alpha', 1);
        const beta = c.floatAttr('beta', 1);
        const ta = c.intAttr('transA', 0);
        const tb = c.intAttr('transB', 0);
        const gemm = (x: typeof a, y: typeof a, transA: number, transB: number) =>
          c.op('Gemm', [x, y], { alpha: { kind: 'float', value: alpha }, transA, transB });
        if (c.needsGrad(0)) {
          // A (M, K): dY·op(B)ᵀ; A stored as (K, M): op(B)·dYᵀ.
          c.setGrad(0, ta === 0 ? gemm(dY, b, 0, tb === 0 ? 1 : 0) : gemm(b, dY, tb, 1));
        }
        if (c.needsGrad(1)) {
          // B (K, N): op(A)ᵀ·dY; B stored as (N, K): dYᵀ·op(A).
          c.setGrad(1, tb === 0 ? gemm(a, dY, ta === 0 ? 1 : 0, 0) : gemm(dY, a, 1, ta));
        }
        if (c.needsGrad(2)) c.setGrad(2, beta === 1 ? dY : c.mul(dY, c.scalar(beta)));
      },
    },
  },
};
