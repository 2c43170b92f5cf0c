// Gradient rules of elementwise ops. Each writes the full-shape gradient of an input;
// the engine sums broadcast axes back to the input's shape (a bias added to (B, T, C)
// gets ReduceSum over B and T there), so no rule here deals with broadcasting.
// Rules reuse forward outputs (Y) where that saves work: Exp, Sqrt, Tanh, Sigmoid, Div.

import { onnxDTypeCode } from '../../shapes.js';
import type { GradientRule } from '../context.js';

export const elementwiseRules: Record<string, GradientRule> = {
  // Y = X  →  dX = dY
  Identity: { backward: (c) => c.setGrad(0, c.dY()) },

  // Y = A + B  →  dA = dY, dB = dY
  Add: {
    backward: (c) => {
      c.setGrad(0, c.dY());
      c.setGrad(1, c.dY());
    },
  },

  // Y = Σᵢ Xᵢ  →  dXᵢ = dY
  Sum: {
    backward: (c) => {
      for (let i = 0; i < c.node.inputs.length; i++) c.setGrad(i, c.dY());
    },
  },

  // Y = A − B  →  dA = dY, dB = −dY
  Sub: {
    backward: (c) => {
      c.setGrad(0, c.dY());
      if (c.needsGrad(1)) c.setGrad(1, c.neg(c.dY()));
    },
  },

  // Y = −X  →  dX = −dY
  Neg: { backward: (c) => c.setGrad(0, c.neg(c.dY())) },

  // Y = A·B  →  dA = dY·B, dB = dY·A
  Mul: {
    backward: (c) => {
      if (c.needsGrad(0)) c.setGrad(0, c.mul(c.dY(), c.input(1)));
      if (c.needsGrad(1)) c.setGrad(1, c.mul(c.dY(), c.input(0)));
    },
  },

  // Y = A / B  →  dA = dY / B, dB = −dY·A/B² = −dA·Y
  Div: {
    backward: (c) => {
      const dA = c.div(c.dY(), c.input(1));
      c.setGrad(0, dA);
      if (c.needsGrad(1)) c.setGrad(1, c.neg(c.mul(dA, c.output(0))));
    },
  },

  // Y = A^E  →  dA = dY·E·A^(E−1), dE = dY·Y·ln A
  Pow: {
    backward: (c) => {
      const [a, e, y, dY] = [c.input(0), c.input(1), c.output(0), c.dY()];
      if (c.needsGrad(0)) {
        const k = c.constantNumbers(1);
        if (k !== undefined && k.length === 1 && k[0] === 2) c.setGrad(0, c.mul(c.mul(dY, a), c.scalar(2)));
        else if (k !== undefined && k.length === 1 && k[0] === 1) c.setGrad(0, dY);
        else {
          const eMinus1 =
            k !== undefined && k.length === 1 ? c.scalar(k[0]! - 1, e.dtype) : c.sub(e, c.scalar(1, e.dtype));
          c.setGrad(0, c.mul(dY, c.mul(e, c.op('Pow', [a, eMinus1]))));
        }
      }
      if (c.needsGrad(1)) c.setGrad(1, c.mul(c.mul(dY, y), c.op('Log', [a])));
    },
  },

  // Y = √X  →  dX = dY / (2Y)
  Sqrt: { backward: (c) => c.setGrad(0, c.div(c.mul(c.dY(), c.scalar(0.5)), c.output(0))) },

  // Y = 1/X  →  dX = −dY·Y²
  Reciprocal: {
    backward: (c) => {
      const y = c.output(0);
      c.setGrad(0, c.neg(c.mul(c.dY(), c.mul(y, y))));
    },
  },

  // Y = eˣ  →  dX = dY·Y
  Exp: { backward: (c) => c.setGrad(0, c.mul(c.dY(), c.output(0))) },

  // Y = ln X  →  dX = dY / X
  Log: { backward: (c) => c.setGrad(0, c.div(c.dY(), c.input(0))) },

  // Y = tanh X  →  dX = dY·(1 − Y²)
  Tanh: {
    backward: (c) => {
      const y = c.output(0);
      c.setGrad(0, c.mul(c.dY(), c.sub(c.scalar(1), c.mul(y, y))));
    },
  },

  // Y = σ(X)  →  dX = dY·Y·(1 − Y)
  Sigmoid: {
    backward: (c) => {
      const y = c.output(0);
      c.setGrad(0, c.mul(c.mul(c.dY(), y), c.sub(c.scalar(1), y)));
    },
  },

  // Y = max(X, 0)  →  dX = dY where X > 0, else 0
  Relu: {
    backward: (c) => {
      const positive = c.op('Greater', [c.input(0), c.scalar(0)]);
      c.setGrad(0, c.op('Where', [positive, c.dY(), c.scalar(0)]));
    },
  },

  // Y = cast(X)  →  dX = cast(dY) back to X's type
  Cast: {
    backward: (c) => c.setGrad(0, c.op('Cast', [c.dY()], { to: onnxDTypeCode(c.input(0).dtype) })),
  },

  // Y = C ? A : B (masked fill)  →  dA = C ? dY : 0, dB = C ? 0 : dY
  Where: {
    backward: (c) => {
      const [cond, dY] = [c.input(0), c.dY()];
      const zero = c.scalar(0, dY.dtype);
      if (c.needsGrad(1)) c.setGrad(1, c.op('Where', [cond, dY, zero]));
      if (c.needsGrad(2)) c.setGrad(2, c.op('Where', [cond, zero, dY]));
    },
  },
};
