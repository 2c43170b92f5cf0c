// The neural-network ops: LayerNormalization, Gelu, Softmax / LogSoftmax, Dropout and
// SoftmaxCrossEntropyLoss, each op's shape rule beside its gradient rule. onnxruntime-node
// has no *Grad kernels, so each gradient is written with standard ONNX ops. Where the
// forward kernel can hand over what the backward needs, the rule asks the engine to
// expose it as an extra output (`savedOutputs`) instead of recomputing it: Dropout's mask,
// the loss's log-probabilities, and LayerNormalization's mean and 1/σ in float32
// (onnxruntime keeps those statistics in float32 only, so float64 graphs recompute).

import type { GradContext } from '../autodiff/context.js';
import type { Value } from '../builder.js';
import {
  type InferredOutput,
  input,
  intAttr,
  normAxis,
  type OpTable,
  onnxDTypeCode,
  same,
} from '../shapes.js';

// Y = x̂·γ + β, x̂ = (X − μ)·σ⁻¹ over axes [axis, rank)
//   →  dβ = Σ dY, dγ = Σ dY·x̂, dX = σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)), g = dY·γ
function layerNormBackward(c: GradContext): void {
  const [x, gamma, dY] = [c.input(0), c.input(1), c.dY()];
  const rank = x.shape.length;
  const axis = c.axis(c.intAttr('axis', -1), rank);
  const axes = c.ints([...Array(rank - axis).keys()].map((i) => axis + i));
  const mean = (v: Value) => c.op('ReduceMean', [v, axes], { keepdims: 1 });
  let mu: Value;
  let invStd: Value;
  if (c.node.outputs.length >= 3 && c.output(1).dtype === x.dtype) {
    [mu, invStd] = [c.output(1), c.output(2)]; // (…, 1) saved by the forward kernel
  } else {
    mu = mean(x); // (…, 1)
    const centred = c.sub(x, mu);
    const variance = mean(c.mul(centred, centred));
    invStd = c.op('Reciprocal', [c.op('Sqrt', [c.add(variance, c.scalar(c.floatAttr('epsilon', 1e-5)))])]);
  }
  const xHat = c.mul(c.sub(x, mu), invStd); // same shape as X
  if (c.needsGrad(2)) c.setGrad(2, dY);
  if (c.needsGrad(1)) c.setGrad(1, c.mul(dY, xHat));
  if (c.needsGrad(0)) {
    const g = c.mul(dY, gamma);
    const inner = c.sub(c.sub(g, mean(g)), c.mul(xHat, mean(c.mul(g, xHat))));
    c.setGrad(0, c.mul(inner, invStd));
  }
}

// Y = ½X(1 + tanh u) = X·s, s = σ(2u), u = k₀(X + k₁X³), k₀ = √(2/π), k₁ = 0.044715
//   →  dX = dY·(s + X·s(1 − s)·2u') = dY·(s + Q·Y·(1 − s)),
//      W = 2k₀k₁X², P = 2k₀ + W (so 2u = X·P), Q = 2u' = 2k₀ + 6k₀k₁X² = 3P − 4k₀.
//   Reusing the forward output Y (no division by X) takes 12 elementwise passes.
// ('none': Y = XΦ(X)  →  dX = dY·(Φ(X) + X·φ(X)))
function geluBackward(c: GradContext): void {
  const [x, dY] = [c.input(0), c.dY()];
  if (c.stringAttr('approximate', 'none') === 'tanh') {
    const k0 = Math.sqrt(2 / Math.PI);
    const k1 = 0.044715;
    const w = c.mul(c.mul(x, x), c.scalar(2 * k0 * k1)); // W = 2k₀k₁X²
    const p = c.add(w, c.scalar(2 * k0)); // P = 2k₀ + W
    const s = c.op('Sigmoid', [c.mul(x, p)]); // s = σ(2u) = ½(1 + tanh u)
    const q = c.add(c.mul(p, c.scalar(3)), c.scalar(-4 * k0)); // Q = 2u'
    const qy = c.mul(q, c.output(0)); // Q·Y
    c.setGrad(0, c.mul(dY, c.add(s, c.mul(qy, c.sub(c.scalar(1), s)))));
    return;
  }
  const x2 = c.mul(x, x);
  // Φ(X) = ½(1 + erf(X/√2)), φ(X) = e^(−X²/2)/√(2π)
  const phiCdf = c.mul(c.add(c.op('Erf', [c.mul(x, c.scalar(Math.SQRT1_2))]), c.scalar(1)), c.scalar(0.5));
  const phiPdf = c.mul(c.op('Exp', [c.mul(x2, c.scalar(-0.5))]), c.scalar(1 / Math.sqrt(2 * Math.PI)));
  c.setGrad(0, c.mul(dY, c.add(phiCdf, c.mul(x, phiPdf))));
}

// SoftmaxCrossEntropyLoss: Lᵢ = −wᵢ·log softmax(Sᵢ)[yᵢ], wᵢ = weight[yᵢ]·[yᵢ ≠ ignore_index],
// L = Σᵢ Lᵢ / Σᵢ wᵢ (mean) | Σᵢ Lᵢ (sum) | Lᵢ (none)
//   →  dSᵢ = (softmax(Sᵢ) − onehot(yᵢ))·wᵢ·dL (/ Σ wᵢ for mean); class axis 1.
//   The one-hot is never built: the −coefᵢ goes in with ScatterElements(reduction='add').
//   A gradient on the log-prob output adds dLP − softmax·Σ dLP (LogSoftmax's rule).
function crossEntropyBackward(c: GradContext): void {
  const scores = c.input(0);
  if (c.hasInput(2) && c.needsGrad(2)) c.fail('the gradient with respect to class weights is not supported');
  const prob = c.op('Exp', [c.output(1)]); // (N, C, …) from the saved log-probabilities
  const one = c.ints([1]);
  const dL = c.gradOut(0);
  if (dL !== undefined) {
    const { w, labels } = labelWeights(c);
    const reduction = c.stringAttr('reduction', 'mean');
    let coef: Value; // (N, …)
    if (reduction === 'none') coef = w === undefined ? dL : c.mul(dL, w);
    else {
      let scale = dL; // ()
      if (reduction === 'mean') {
        const count =
          w === undefined
            ? c.scalar(numelOf(c, labels), scores.dtype)
            : c.op('ReduceSum', [w], { keepdims: 0 });
        scale = c.div(dL, count);
      } else if (reduction !== 'sum') c.fail(`unknown reduction '${reduction}'`);
      coef = w === undefined ? c.expandLike(scale, labels) : c.mul(w, scale);
    }
    const coef1 = c.op('Unsqueeze', [coef, one]); // (N, 1, …)
    const scaled = c.mul(prob, coef1); // (N, C, …)
    const at = c.op('Unsqueeze', [labels, one]); // (N, 1, …)
    const info = { outputInfos: [{ dtype: scores.dtype, shape: scores.shape }] };
    c.setGrad(0, c.op('ScatterElements', [scaled, at, c.neg(coef1)], { axis: 1, reduction: 'add' }, info)); // (N, C, …)
  }
  const dLogProb = c.gradOut(1);
  if (dLogProb !== undefined) {
    const total = c.op('ReduceSum', [dLogProb, one], { keepdims: 1 }); // (N, 1, …)
    c.setGrad(0, c.sub(dLogProb, c.mul(prob, total)));
  }
}

/**
 * The loss's per-label weights wᵢ (undefined when all are 1) and its labels with ignored
 * entries replaced by class 0, so ScatterElements never sees an out-of-range index.
 */
function labelWeights(c: GradContext): { w: Value | undefined; labels: Value } {
  const [scores, labels] = [c.input(0), c.input(1)];
  const ignore = c.optionalIntAttr('ignore_index');
  let w: Value | undefined;
  let safe = labels;
  if (ignore !== undefined) {
    const label = (v: number) =>
      c.b.constant({ dtype: labels.dtype, dims: [], data: labelData(labels.dtype, v) });
    const kept = c.op('Not', [c.op('Equal', [labels, label(ignore)])]); // (N, …)
    safe = c.op('Where', [kept, labels, label(0)]);
    w = c.op('Cast', [kept], { to: onnxDTypeCode(scores.dtype) });
  }
  if (c.hasInput(2)) {
    const classWeight = c.op('Gather', [c.input(2), safe]); // (N, …)
    w = w === undefined ? classWeight : c.mul(w, classWeight);
  }
  return { w, labels: safe };
}

function labelData(dtype: string, v: number): BigInt64Array | Int32Array {
  return dtype === 'int64' ? BigInt64Array.from([BigInt(v)]) : Int32Array.from([v]);
}

function numelOf(c: GradContext, v: Value): number {
  if (!v.shape.every((d) => typeof d === 'number')) c.fail('mean reduction needs static label shape');
  return (v.shape as number[]).reduce((p, q) => p * q, 1);
}

/** Dropout is in training mode unless its training_mode input is absent or a constant false. */
function dropoutTraining(
  c: { inputs: readonly string[] },
  constant: (name: string) => boolean | undefined,
): boolean {
  const t = c.inputs[2];
  if (t === undefined || t === '') return false;
  return constant(t) ?? true;
}

export const nnOps: OpTable = {
  // Outputs Y (like X) and optionally mean and 1/σ, shaped like X with the normalised axes set to 1.
  LayerNormalization: {
    shape: (c) => {
      const x = input(c, 0);
      const axis = normAxis(c, intAttr(c, 'axis', -1), x.shape.length);
      const stat = x.shape.map((d, i) => (i < axis ? d : 1));
      const outs: InferredOutput[] = [{ dtype: x.dtype, shape: [...x.shape] }];
      for (let i = 1; i < c.numOutputs; i++) outs.push({ dtype: x.dtype, shape: stat });
      return outs;
    },
    grad: {
      backward: layerNormBackward,
      savedOutputs: (node, g) => (g.values.get(node.inputs[0]!)?.dtype === 'float32' ? 3 : 0),
    },
  },

  Gelu: { shape: same, grad: { backward: geluBackward } },

  // Y = softmax(X, axis)  →  dX = Y·(dY − Σ_axis dY·Y)
  Softmax: {
    shape: same,
    grad: {
      backward: (c) => {
        const [y, dY] = [c.output(0), c.dY()];
        const axes = c.ints([c.axis(c.intAttr('axis', -1), y.shape.length)]);
        const dot = c.op('ReduceSum', [c.mul(dY, y), axes], { keepdims: 1 });
        c.setGrad(0, c.mul(y, c.sub(dY, dot)));
      },
    },
  },

  // Y = log softmax(X, axis)  →  dX = dY − e^Y·Σ_axis dY
  LogSoftmax: {
    shape: same,
    grad: {
      backward: (c) => {
        const [y, dY] = [c.output(0), c.dY()];
        const axes = c.ints([c.axis(c.intAttr('axis', -1), y.shape.length)]);
        const total = c.op('ReduceSum', [dY, axes], { keepdims: 1 });
        c.setGrad(0, c.sub(dY, c.mul(c.op('Exp', [y]), total)));
      },
    },
  },

  // Y = X·M/(1 − p) in training mode (M the kept-element mask)  →  dX = dY·M/(1 − p); inference: dX = dY
  Dropout: {
    shape: (c) => {
      const x = input(c, 0);
      const outs: InferredOutput[] = [{ dtype: x.dtype, shape: [...x.shape] }];
      if (c.numOutputs > 1) outs.push({ dtype: 'bool', shape: [...x.shape] });
      return outs;
    },
    grad: {
      backward: (c) => {
        const dY = c.dY();
        const training = dropoutTraining(c.node, (n) => {
          const t = c.b.constantOf(n);
          return t === undefined ? undefined : Number(t.data[0]) !== 0;
        });
        if (!training) {
          c.setGrad(0, dY);
          return;
        }
        const k = c.hasInput(1) ? c.constantNumbers(1) : [0.5]; // ratio
        const scale =
          k !== undefined ? c.scalar(1 / (1 - k[0]!)) : c.op('Reciprocal', [c.sub(c.scalar(1), c.input(1))]);
        c.setGrad(0, c.op('Where', [c.output(1), c.mul(dY, scale), c.scalar(0)]));
      },
      savedOutputs: (node, g) => {
        const constant = (n: string) => {
          const t = g.initializers.get(n);
          return t === undefined ? undefined : Number(t.data[0]) !== 0;
        };
        return dropoutTraining(node, constant) ? 2 : 1;
      },
    },
  },

  // Outputs the loss (scalar, or per label with reduction 'none') and optionally the log-probabilities.
  SoftmaxCrossEntropyLoss: {
    shape: (c) => {
      const scores = input(c, 0);
      const labels = input(c, 1);
      const reduction = c.attributes['reduction'];
      const none = reduction !== undefined && reduction.kind === 'string' && reduction.value === 'none';
      const outs: InferredOutput[] = [{ dtype: scores.dtype, shape: none ? [...labels.shape] : [] }];
      if (c.numOutputs > 1) outs.push({ dtype: scores.dtype, shape: [...scores.shape] });
      return outs;
    },
    grad: { backward: crossEntropyBackward, savedOutputs: () => 2 },
  },
};
