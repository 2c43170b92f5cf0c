// GraphBuilder behaviour beyond shape rules: deterministic symbolic dims, and build()
// validating once per change while snapshot() and nodeList read without validating.

import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from './autodiff/engine.js';
import { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';
import { serializeModel } from './serialize.js';

/** A graph whose shape inference invents symbolic dims (Reshape to -1). */
function withFreshDims(): Uint8Array {
  const b = new GraphBuilder('fresh');
  const x = b.input('x', 'float32', ['B', 6]); // (B, 6)
  const r = b.reshape(x, [-1, 3]); // (?, 3)
  const c = b.op1('Concat', [r, r], { axis: 1 }); // (?, 6)
  b.output(b.reduceSum(c, [0, 1], false), 'loss');
  const { graph } = buildGradientGraph(b.build(), { loss: 'loss', wrt: ['x'] });
  return serializeModel(graph);
}

describe('GraphBuilder', () => {
  it('serializes the same graph built twice to the same bytes (symbolic dims named per node)', () => {
    const first = withFreshDims();
    const second = withFreshDims();
    expect(second).toEqual(first);
    expect(new TextDecoder().decode(first)).toContain('Reshape_');
  });

  it('validates in build() once per change and returns the same graph until then', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    expect(() => b.build()).toThrow(GraphError); // no outputs yet
    expect(b.snapshot().nodes).toHaveLength(0); // a snapshot needs no outputs
    const y = b.op1('Relu', [x]);
    b.output(y, 'y');
    const g = b.build();
    expect(b.build()).toBe(g);
    expect(b.nodeList).toHaveLength(2);
    b.output(b.op1('Neg', [x]), 'z');
    const g2 = b.build();
    expect(g2).not.toBe(g);
    expect(g2.outputs.map((o) => o.name)).toEqual(['y', 'z']);
    expect(g.outputs.map((o) => o.name)).toEqual(['y']); // an earlier build is not changed
  });

  it('still checks the nodes added after extending a validated graph', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    b.output(b.op1('Relu', [x]), 'y');
    const e = GraphBuilder.extend(b.build(), { keepOutputs: true });
    const bad = e.op1(
      'Neg',
      [e.value('y')],
      {},
      { name: 'bad', outputInfos: [{ dtype: 'float32', shape: [5] }] },
    );
    e.output(bad, 'z');
    expect(() => e.build()).toThrow(/'bad'.*recorded as \[5\], the op yields \[2\]/);
    const ok = GraphBuilder.extend(b.build(), { keepOutputs: true });
    ok.output(ok.op1('Neg', [ok.value('y')]), 'z');
    expect(ok.build().nodes.map((n) => n.opType)).toEqual(['Relu', 'Identity', 'Neg', 'Identity']);
  });
});

describe('option objects', () => {
  it('reject unknown keys, naming the known ones', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2]);
    expect(() => b.op1('Relu', [x], {}, { nmae: 'r' } as never)).toThrow(
      /unknown option 'nmae'.*name, domain/,
    );
    b.output(b.op1('Relu', [x]), 'y');
    const g = b.build();
    expect(() => serializeModel(g, { opsett: 21 } as never)).toThrow(
      /unknown option 'opsett' of serializeModel/,
    );
    expect(() => GraphBuilder.extend(g, { keep: true } as never)).toThrow(GraphError);
  });
});
