// The op registry: one entry per op type holding its shape rule and gradient rule.

import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../autodiff/engine.js';
import { MissingGradientRuleError } from '../autodiff/errors.js';
import { GraphBuilder } from '../builder.js';
import { GraphError } from '../errors.js';
import { same } from '../shapes.js';
import {
  GRADIENT_RULES,
  hasShapeRule,
  inferOutputs,
  mergeOpTables,
  OPS,
  supportedGradientOps,
} from './index.js';

describe('op registry', () => {
  it('refuses an op type registered in two tables', () => {
    expect(() => mergeOpTables({ Foo: { shape: same } }, { Foo: { shape: same } })).toThrow(GraphError);
    expect(() => mergeOpTables({ Foo: { shape: same } }, { Foo: { shape: same } })).toThrow(/'Foo'.*twice/);
  });

  it('gives every differentiable op a shape rule in the same entry', () => {
    for (const op of supportedGradientOps()) {
      expect(hasShapeRule(op)).toBe(true);
      expect(OPS[op]!.grad).toBe(GRADIENT_RULES[op]);
    }
    expect(supportedGradientOps()).toEqual(
      expect.arrayContaining(['MatMul', 'Gather', 'LayerNormalization']),
    );
    expect(supportedGradientOps()).not.toContain('Sin');
    expect(hasShapeRule('Sin')).toBe(true);
    expect(hasShapeRule('toString')).toBe(false);
  });

  it('names symbolic dims after the node, counting within it', () => {
    const c = {
      nodeName: 'n',
      opType: 'Concat',
      inputs: [
        { dtype: 'float32' as const, shape: ['a', 2] },
        { dtype: 'float32' as const, shape: ['b', 2] },
      ],
      attributes: { axis: { kind: 'int' as const, value: 0 } },
      constant: () => undefined,
      numOutputs: 1,
    };
    expect(inferOutputs(c)[0]!.shape).toEqual(['n_dim0', 2]);
    expect(inferOutputs(c)[0]!.shape).toEqual(['n_dim0', 2]);
  });

  it('infers Flatten', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['B', 3, 4]);
    expect(b.op1('Flatten', [x], { axis: 1 }).shape).toEqual(['Flatten_0_dim0', 12]);
    expect(b.op1('Flatten', [x], { axis: 3 }).shape).toEqual(['Flatten_1_dim0', 1]);
    expect(b.op1('Flatten', [b.input('y', 'float32', [2, 3, 4])], { axis: -1 }).shape).toEqual([6, 4]);
  });

  it('points a missing gradient rule at the ops folder', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    b.output(b.reduceSum(b.op1('Sin', [x]), [0], false), 'loss');
    expect(() => buildGradientGraph(b.build(), { loss: 'loss', wrt: ['x'] })).toThrow(
      MissingGradientRuleError,
    );
    expect(() => buildGradientGraph(b.build(), { loss: 'loss', wrt: ['x'] })).toThrow(/src\/ops\//);
  });
});
