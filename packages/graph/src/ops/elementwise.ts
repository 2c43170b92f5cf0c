// Elementwise ops: each op's shape rule (numpy broadcasting for binary and variadic
// ops) beside its gradient rule. A gradient rule writes the full-shape gradient of an
// input; the engine sums broadcast axes back to the input's shape (a bias added to
// (B, T, C) gets ReduceSum over B and T there), so no rule here deals with broadcasting.
// Rules reuse forward outputs (Y) where that saves work: Exp, Sqrt, Tanh, Sigmoid, Div.
// Ops listed with a shape rule only can be built but not differentiated.

import type { OpTable, ShapeRule } from '../shapes.js';
import { broadcastShapes, dtypeFromOnnx, input, intAttr, onnxDTypeCode, same } from '../shapes.js';

const binary: ShapeRule = (c) => [
  { dtype: input(c, 0).dtype, shape: broadcastShapes(c, [input(c, 0).shape, input(c, 1).shape]) },
];

const compare: ShapeRule = (c) => [{ dtype: 'bool', shape: binary(c)[0]!.shape }];

const variadic: ShapeRule = (c) => [
  {
    dtype: input(c, 0).dtype,
    shape: broadcastShapes(
      c,
      c.inputs.map((_, i) => input(c, i).shape),
    ),
  },
];

const predicate: ShapeRule = (c) => [{ dtype: 'bool', shape: [...input(c, 0).shape] }];

export const elementwiseOps: OpTable = {
  // Y = X  →  dX = dY
  Identity: { shape: same, grad: { backward: (c) => c.setGrad(0, c.dY()) } },

  // Y = A + B  →  dA = dY, dB = dY
  Add: {
    shape: binary,
    grad: {
      backward: (c) => {
        c.setGrad(0, c.dY());
        c.setGrad(1, c.dY());
      },
    },
  },

  // Y = Σᵢ Xᵢ  →  dXᵢ = dY
  Sum: {
    shape: variadic,
    grad: {
      backward: (c) => {
        for (let i = 0; i < c.node.inputs.length; i++) c.setGrad(i, c.dY());
      },
    },
  },

  // Y = A − B  →  dA = dY, dB = −dY
  Sub: {
    shape: binary,
    grad: {
      backward: (c) => {
        c.setGrad(0, c.dY());
        if (c.needsGrad(1)) c.setGrad(1, c.neg(c.dY()));
      },
    },
  },

  // Y = −X  →  dX = −dY
  Neg: { shape: same, grad: { backward: (c) => c.setGrad(0, c.neg(c.dY())) } },

  // Y = A·B  →  dA = dY·B, dB = dY·A
  Mul: {
    shape: binary,
    grad: {
      backward: (c) => {
        if (c.needsGrad(0)) c.setGrad(0, c.mul(c.dY(), c.input(1)));
        if (c.needsGrad(1)) c.setGrad(1, c.mul(c.dY(), c.input(0)));
      },
    },
  },

  // Y = A / B  →  dA = dY / B, dB = −dY·A/B² = −dA·Y
  Div: {
    shape: binary,
    grad: {
      backward: (c) => {
        const dA = c.div(c.dY(), c.input(1));
        c.setGrad(0, dA);
        if (c.needsGrad(1)) c.setGrad(1, c.neg(c.mul(dA, c.output(0))));
      },
    },
  },

  // Y = A^E  →  dA = dY·E·A^(E−1), dE = dY·Y·ln A
  Pow: {
    shape: binary,
    grad: {
      backward: (c) => {
        const [a, e, y, dY] = [c.input(0), c.input(1), c.output(0), c.dY()];
        if (c.needsGrad(0)) {
          const k = c.constantNumbers(1);
          if (k !== undefined && k.length === 1 && k[0] === 2) c.setGrad(0, c.mul(c.mul(dY, a), c.scalar(2)));
          else if (k !== undefined && k.length === 1 && k[0] === 1) c.setGrad(0, dY);
          else {
            const eMinus1 =
              k !== undefined && k.length === 1
                ? c.scalar(k[0]! - 1, e.dtype)
                : c.sub(e, c.scalar(1, e.dtype));
            c.setGrad(0, c.mul(dY, c.mul(e, c.op('Pow', [a, eMinus1]))));
          }
        }
        if (c.needsGrad(1)) c.setGrad(1, c.mul(c.mul(dY, y), c.op('Log', [a])));
      },
    },
  },

  // Y = √X  →  dX = dY / (2Y)
  Sqrt: {
    shape: same,
    grad: { backward: (c) => c.setGrad(0, c.div(c.mul(c.dY(), c.scalar(0.5)), c.output(0))) },
  },

  // Y = 1/X  →  dX = −dY·Y²
  Reciprocal: {
    shape: same,
    grad: {
      backward: (c) => {
        const y = c.output(0);
        c.setGrad(0, c.neg(c.mul(c.dY(), c.mul(y, y))));
      },
    },
  },

  // Y = eˣ  →  dX = dY·Y
  Exp: { shape: same, grad: { backward: (c) => c.setGrad(0, c.mul(c.dY(), c.output(0))) } },

  // Y = ln X  →  dX = dY / X
  Log: { shape: same, grad: { backward: (c) => c.setGrad(0, c.div(c.dY(), c.input(0))) } },

  // Y = tanh X  →  dX = dY·(1 − Y²)
  Tanh: {
    shape: same,
    grad: {
      backward: (c) => {
        const y = c.output(0);
        c.setGrad(0, c.mul(c.dY(), c.sub(c.scalar(1), c.mul(y, y))));
      },
    },
  },

  // Y = σ(X)  →  dX = dY·Y·(1 − Y)
  Sigmoid: {
    shape: same,
    grad: {
      backward: (c) => {
        const y = c.output(0);
        c.setGrad(0, c.mul(c.mul(c.dY(), y), c.sub(c.scalar(1), y)));
      },
    },
  },

  // Y = max(X, 0)  →  dX = dY where X > 0, else 0
  Relu: {
    shape: same,
    grad: {
      backward: (c) => {
        const positive = c.op('Greater', [c.input(0), c.scalar(0)]);
        c.setGrad(0, c.op('Where', [positive, c.dY(), c.scalar(0)]));
      },
    },
  },

  // Y = cast(X)  →  dX = cast(dY) back to X's type
  Cast: {
    shape: (c) => [{ dtype: dtypeFromOnnx(intAttr(c, 'to', 1)), shape: [...input(c, 0).shape] }],
    grad: {
      backward: (c) => c.setGrad(0, c.op('Cast', [c.dY()], { to: onnxDTypeCode(c.input(0).dtype) })),
    },
  },

  // Y = C ? A : B (masked fill)  →  dA = C ? dY : 0, dB = C ? 0 : dY
  Where: {
    shape: (c) => [
      {
        dtype: input(c, 1).dtype,
        shape: broadcastShapes(
          c,
          [0, 1, 2].map((i) => input(c, i).shape),
        ),
      },
    ],
    grad: {
      backward: (c) => {
        const [cond, dY] = [c.input(0), c.dY()];
        const zero = c.scalar(0, dY.dtype);
        if (c.needsGrad(1)) c.setGrad(1, c.op('Where', [cond, dY, zero]));
        if (c.needsGrad(2)) c.setGrad(2, c.op('Where', [cond, zero, dY]));
      },
    },
  },

  // Shape rules only (not differentiable here).
  Abs: { shape: same },
  Erf: { shape: same },
  Sign: { shape: same },
  Floor: { shape: same },
  Ceil: { shape: same },
  Sin: { shape: same },
  Cos: { shape: same },
  Not: { shape: same },
  Clip: { shape: same },
  IsNaN: { shape: predicate },
  IsInf: { shape: predicate },
  Max: { shape: variadic },
  Min: { shape: variadic },
  Mean: { shape: variadic },
  Equal: { shape: compare },
  Less: { shape: compare },
  Greater: { shape: compare },
  LessOrEqual: { shape: compare },
  GreaterOrEqual: { shape: compare },
  And: { shape: compare },
  Or: { shape: compare },
};
