import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';
import { attr, type Graph, type Node } from './ir.js';
import { serializeModel } from './serialize.js';
import { validateGraph } from './validate.js';

function small(): Graph {
  const b = new GraphBuilder('g');
  const x = b.input('x', 'float32', ['batch', 4]); // (B, 4)
  const w = b.initializer('w', { dtype: 'float32', dims: [4, 3], data: new Float32Array(12) });
  const y = b.op1('MatMul', [x, w], {}, { name: 'mm' }); // (B, 3)
  b.output(b.op1('Relu', [y], {}, { name: 'act' }), 'y');
  return b.build();
}

function withNodes(g: Graph, edit: (nodes: Node[]) => Node[]): Graph {
  return { ...g, nodes: edit([...g.nodes]) };
}

function expectGraphError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GraphError);
  expect((err as Error).message).toMatch(pattern);
}

describe('validateGraph', () => {
  it('accepts a well-formed graph', () => {
    expect(() => validateGraph(small())).not.toThrow();
  });

  it('names the node that produces a value twice', () => {
    const g = small();
    const dup = withNodes(g, (n) => [
      ...n.slice(0, 1),
      { ...n[1]!, name: 'act2', outputs: [n[0]!.outputs[0]!] },
      ...n.slice(1),
    ]);
    expectGraphError(() => validateGraph(dup), /node 'act2': value 'mm' is produced twice/);
  });

  it('names the node that reads an unknown or later value', () => {
    const g = small();
    const swapped = withNodes(g, (n) => [n[1]!, n[0]!, ...n.slice(2)]);
    expectGraphError(
      () => validateGraph(swapped),
      /node 'act': Relu: input 'mm' is not produced before this node/,
    );
  });

  it('names the node whose recorded shape contradicts its op', () => {
    const g = small();
    const values = new Map(g.values);
    values.set('mm', { name: 'mm', dtype: 'float32', shape: ['batch', 5] });
    expectGraphError(
      () => validateGraph({ ...g, values }),
      /node 'mm': MatMul: output 'mm' is recorded as \[batch, 5\], the op yields \[batch, 3\]/,
    );
    values.set('mm', { name: 'mm', dtype: 'float32', shape: ['batch'] });
    expectGraphError(() => validateGraph({ ...g, values }), /recorded as \[batch\]/);
    values.set('mm', { name: 'mm', dtype: 'float64', shape: ['batch', 3] });
    expectGraphError(() => validateGraph({ ...g, values }), /recorded as float64, the op yields float32/);
  });

  it('rejects duplicate node names, bad initializers and unknown outputs', () => {
    const g = small();
    expectGraphError(
      () => validateGraph(withNodes(g, (n) => [n[0]!, { ...n[1]!, name: 'mm' }, ...n.slice(2)])),
      /node 'mm': node name is used twice/,
    );
    const inits = new Map(g.initializers);
    inits.set('w', { dtype: 'float32', dims: [4, 3], data: new Float32Array(11) });
    expectGraphError(
      () => validateGraph({ ...g, initializers: inits }),
      /initializer 'w' has 11 elements, dims \[4, 3\] say 12/,
    );
    inits.set('w', { dtype: 'float32', dims: [4, 3], data: new Float64Array(12) });
    expectGraphError(
      () => validateGraph({ ...g, initializers: inits }),
      /initializer 'w' is float32 but holds a Float64Array/,
    );
    expectGraphError(
      () => validateGraph({ ...g, outputs: [{ name: 'z', dtype: 'float32', shape: [] }] }),
      /graph output 'z' is never produced/,
    );
  });

  it('is run by serializeModel', () => {
    const g = small();
    expectGraphError(
      () => serializeModel(withNodes(g, (n) => [n[1]!, n[0]!, ...n.slice(2)])),
      /not produced before this node/,
    );
  });
});

describe('GraphBuilder', () => {
  it('reports mistakes at build time with the node name', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    expectGraphError(
      () => b.op1('Reshape', [x, b.ints([4, 2])], {}, { name: 'rs' }),
      /node 'rs': Reshape: cannot reshape \[2, 3\]/,
    );
    expectGraphError(
      () => b.op1('Softplus', [x], {}, { name: 'sp' }),
      /node 'sp': no shape rule for op type 'Softplus'/,
    );
    expectGraphError(
      () => b.op1('Relu', [{ name: 'ghost', dtype: 'float32', shape: [] }], {}, { name: 'r' }),
      /node 'r': Relu: input 'ghost' is not defined/,
    );
    b.op1('Relu', [x], {}, { name: 'r1' });
    expectGraphError(() => b.op1('Relu', [x], {}, { name: 'r1' }), /node 'r1': node name is used twice/);
    expectGraphError(() => b.build(), /has no outputs/);
  });

  it('infers shapes through constants, Shape(start, end) and computed Slice bounds', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['B', 'T', 8]);
    expect(b.reshape(x, [0, 0, 2, 4]).shape).toEqual(['B', 'T', 2, 4]);
    expect(b.op1('Unsqueeze', [x, b.ints([1])]).shape).toEqual(['B', 1, 'T', 8]);
    const t = b.op1('Shape', [x], { start: 1, end: 2 }); // (1)
    expect(t.shape).toEqual([1]);
    expect(b.op1('Shape', [x], { start: -2 }).shape).toEqual([2]);
    const sliced = b.op1('Slice', [x, b.ints([0]), t, b.ints([2])]);
    expect(sliced.shape.slice(0, 2)).toEqual(['B', 'T']);
    expect(typeof sliced.shape[2]).toBe('string');
    const [a, c] = b.op('Split', [x, b.ints([3, 5])], { axis: -1 }, { outputs: 2 });
    expect(a!.shape).toEqual(['B', 'T', 3]);
    expect(c!.shape).toEqual(['B', 'T', 5]);
  });

  it('extends a built graph, keeping constants for shape inference', () => {
    const g = small();
    const b = GraphBuilder.extend(g, { keepOutputs: true });
    const w = b.value('w');
    expect(b.constantOf('w')?.dims).toEqual([4, 3]);
    b.output(b.transpose(w, [1, 0]), 'wt');
    const g2 = b.build();
    expect(g2.outputs.map((o) => o.name)).toEqual(['y', 'wt']);
    expect(g2.values.get('wt')?.shape).toEqual([3, 4]);
  });
});

describe('attr', () => {
  it('tags an integral float that a plain number would make an int', () => {
    const b = new GraphBuilder();
    const a = b.input('a', 'float32', [2, 3]);
    const w = b.input('w', 'float32', [4, 3]);
    const n = b.op('Gemm', [a, w], { alpha: attr.float(2), transB: 1 }, { name: 'g' });
    expect(n[0]!.shape).toEqual([2, 4]);
    b.output(n[0]!, 'y');
    const node = b.build().nodes.find((x) => x.name === 'g')!;
    expect(node.attributes['alpha']).toEqual({ kind: 'float', value: 2 });
    expect(node.attributes['transB']).toEqual({ kind: 'int', value: 1 });
  });
});
