// Engine behaviour beyond the rules' math: errors, pruning of unneeded gradients,
// summing of fan-out gradients, broadcast reduction, zero gradients and outputs.

import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../ir.js';
import { serializeModel } from '../serialize.js';
import { buildGradientGraph } from './engine.js';
import { GradientError, MissingGradientRuleError } from './errors.js';

const backwardNodes = (g: Graph, forward: Graph) => g.nodes.slice(forward.nodes.length);

describe('buildGradientGraph', () => {
  it('names the op type and node of a missing rule on the path to the loss', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    const s = b.op1('Sin', [x], {}, { name: 'my_sine' });
    b.output(b.reduceSum(s, [0], false), 'loss');
    const g = b.build();
    expect(() => buildGradientGraph(g, { loss: 'loss', wrt: ['x'] })).toThrow(MissingGradientRuleError);
    expect(() => buildGradientGraph(g, { loss: 'loss', wrt: ['x'] })).toThrow(
      /'Sin'.*my_sine|my_sine.*'Sin'/,
    );
  });

  it('ignores ops without rules off the path, and builds nothing for unused branches', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const w = b.input('w', 'float32', [3]);
    const unused = b.input('unused', 'float32', [3]);
    const side = b.op1('Sin', [b.mul(x, unused)], {}, { name: 'side_branch' }); // feeds only an extra output
    const y = b.mul(x, w); // (2, 3)
    b.output(b.reduceSum(y, [0, 1], false), 'loss');
    b.output(side, 'side');
    const forward = b.build();
    const { graph, grads } = buildGradientGraph(forward, { loss: 'loss', wrt: ['w', 'unused'] });
    const added = backwardNodes(graph, forward);
    // Only the loss's broadcast (Expand), the Mul's w-gradient, its broadcast ReduceSum, the zero gradient and output renames.
    expect(added.map((n) => n.opType).sort()).toEqual([
      'ConstantOfShape',
      'Expand',
      'Identity',
      'Identity',
      'Mul',
      'ReduceSum',
    ]);
    expect(added.some((n) => n.inputs.includes(side.name) || n.name.startsWith('side_branch'))).toBe(false);
    // x is not differentiated, so no dX = dY·w is built.
    expect(added.filter((n) => n.opType === 'Mul')).toHaveLength(1);
    expect(graph.outputs.map((o) => o.name)).toEqual(['loss', 'side', 'grad.w', 'grad.unused']);
    expect(grads.get('unused')).toBe('grad.unused');
  });

  it('sums the gradients of a value used several times in one Sum node', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float64', [4]);
    const y = b.add(b.add(b.mul(x, x), b.op1('Exp', [x])), x);
    b.output(b.reduceSum(y, [0], false), 'loss');
    const forward = b.build();
    const { graph } = buildGradientGraph(forward, { loss: 'loss', wrt: ['x'] });
    const sums = backwardNodes(graph, forward).filter((n) => n.opType === 'Sum');
    expect(sums).toHaveLength(1);
    expect(sums[0]!.inputs).toHaveLength(4); // Mul twice, Exp, Add
  });

  it('reduces a broadcast bias with a single ReduceSum and no Reshape', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3, 4]);
    const bias = b.input('bias', 'float32', [4]);
    b.output(b.reduceSum(b.mul(b.add(x, bias), x), [0, 1, 2], false), 'loss');
    const forward = b.build();
    const { graph } = buildGradientGraph(forward, { loss: 'loss', wrt: ['bias'] });
    const added = backwardNodes(graph, forward);
    expect(added.filter((n) => n.opType === 'ReduceSum')).toHaveLength(1);
    expect(added.some((n) => n.opType === 'Reshape')).toBe(false);
  });

  it('gives a zero gradient to a wrt value the loss does not depend on', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    b.input('free', 'float32', [2, 2]);
    b.output(b.reduceSum(b.mul(x, x), [0], false), 'loss');
    const { graph, grads } = buildGradientGraph(b.build(), { loss: 'loss', wrt: ['x', 'free'] });
    const session = await InferenceSession.create(serializeModel(graph));
    try {
      const out = await session.run({
        x: new Tensor('float32', Float32Array.from([1, 2, 3]), [3]),
        free: new Tensor('float32', new Float32Array(4).fill(5), [2, 2]),
      });
      expect(Array.from(out[grads.get('x')!]!.data as Float32Array)).toEqual([2, 4, 6]);
      const free = out[grads.get('free')!]!;
      expect(free.dims).toEqual([2, 2]);
      expect(Array.from(free.data as Float32Array)).toEqual([0, 0, 0, 0]);
    } finally {
      await session.release();
    }
  });

  it('keeps gradients internal with outputGradients: false', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    b.output(b.reduceSum(b.mul(x, x), [0], false), 'loss');
    const { graph, grads } = buildGradientGraph(b.build(), {
      loss: 'loss',
      wrt: ['x'],
      outputGradients: false,
    });
    expect(graph.outputs.map((o) => o.name)).toEqual(['loss']);
    expect(graph.values.get(grads.get('x')!)?.shape).toEqual([3]);
  });

  it('rejects unknown or non-float loss and wrt names', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    const ids = b.input('ids', 'int64', [3]);
    b.output(b.reduceSum(x, [0], false), 'loss');
    b.output(ids, 'ids_out');
    const g = b.build();
    expect(() => buildGradientGraph(g, { loss: 'nope', wrt: ['x'] })).toThrow(GradientError);
    expect(() => buildGradientGraph(g, { loss: 'loss', wrt: ['ids'] })).toThrow(/wrt value 'ids'/);
  });

  it('rejects unknown options, naming the known ones', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    b.output(b.reduceSum(x, [0], false), 'loss');
    const g = b.build();
    const bad = { loss: 'loss', wrt: ['x'], gradName: (n: string) => n };
    expect(() => buildGradientGraph(g, bad as never)).toThrow(/unknown option 'gradName'.*outputGradients/);
  });
});
