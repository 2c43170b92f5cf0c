// Train a 2-layer MLP on synthetic data with @spinettai/graph and onnxruntime-node:
// forward + loss built with GraphBuilder, backward from buildGradientGraph, AdamW
// appended in the same graph, so one session run is one training step.
import {
  adamwScalars,
  addAdamW,
  buildGradientGraph,
  GraphBuilder,
  OPT_INPUTS,
  SeededRandom,
  serializeModel,
} from '@spinettai/graph';
import { InferenceSession, Tensor } from 'onnxruntime-node';

const N = 256; // points
const H = 16; // hidden units
const random = new SeededRandom(0);

// Data: points in [-1, 1]², class 1 where x·y > 0 (the XOR quadrants: no line separates them).
const points = Float32Array.from({ length: N * 2 }, () => 2 * random.uniform() - 1);
const labels = BigInt64Array.from({ length: N }, (_, i) => (points[2 * i] * points[2 * i + 1] > 0 ? 1n : 0n));

// Forward and loss. The weights are graph inputs, so each step feeds the updated ones.
const shapes = { w1: [2, H], b1: [H], w2: [H, 2], b2: [2] };
const names = Object.keys(shapes);
const b = new GraphBuilder('mlp');
const x = b.input('x', 'float32', [N, 2]);
const y = b.input('y', 'int64', [N]);
const p = Object.fromEntries(names.map((name) => [name, b.input(name, 'float32', shapes[name])]));
const h = b.op1('Tanh', [b.add(b.matmul(x, p.w1), p.b1)]); // (N, H)
const logits = b.add(b.matmul(h, p.w2), p.b2); // (N, 2)
b.output(b.op1('SoftmaxCrossEntropyLoss', [logits, y]), 'loss'); // mean cross-entropy, ()

// Backward, then AdamW on each weight and its moments m, v.
const { graph, grads } = buildGradientGraph(b.build(), { loss: 'loss', wrt: names, outputGradients: false });
const t = GraphBuilder.extend(graph, { keepOutputs: true });
const slots = names.map((name) => ({
  param: t.value(name),
  grad: t.value(grads.get(name)),
  m: t.input(`m.${name}`, 'float32', shapes[name]),
  v: t.input(`v.${name}`, 'float32', shapes[name]),
  decay: false,
}));
const newNames = (i) => ({ param: `new.${names[i]}`, m: `new_m.${names[i]}`, v: `new_v.${names[i]}` });
for (const u of addAdamW(t, slots, newNames).updated) for (const v of [u.param, u.m, u.v]) t.output(v);
const session = await InferenceSession.create(serializeModel(t.build()));

// Small random weights, zero moments.
const state = {};
for (const name of names) {
  const n = shapes[name].reduce((a, c) => a * c, 1);
  state[name] = new Tensor(
    'float32',
    Float32Array.from({ length: n }, () => random.normal()),
    shapes[name],
  );
  state[`m.${name}`] = new Tensor('float32', new Float32Array(n), shapes[name]);
  state[`v.${name}`] = new Tensor('float32', new Float32Array(n), shapes[name]);
}

const data = { x: new Tensor('float32', points, [N, 2]), y: new Tensor('int64', labels, [N]) };
for (let step = 1; step <= 200; step++) {
  const opt = adamwScalars({ t: step, lr: 0.05, weightDecay: 0, gradScale: 1, gradClip: 1 });
  const feeds = { ...data, ...state };
  for (const name of OPT_INPUTS) feeds[name] = new Tensor('float32', Float32Array.of(opt[name]), []);
  const out = await session.run(feeds);
  for (const name of names) {
    state[name] = out[`new.${name}`];
    state[`m.${name}`] = out[`new_m.${name}`];
    state[`v.${name}`] = out[`new_v.${name}`];
  }
  if (step === 1 || step % 50 === 0) console.log(`step ${step}: loss ${out.loss.data[0].toFixed(4)}`);
}
await session.release();
