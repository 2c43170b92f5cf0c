// serializeModel's hand-written protobuf against a real protobuf decoder: protobufjs
// reads our bytes with the ONNX schema below (transcribed from onnx/onnx.proto, field
// for field, for the messages we write), the decoded fields must be the graph's, and
// protobufjs re-encoding the decoded message must give our bytes back exactly. (Before
// the writer replaced the onnx-proto package, its output was byte-identical to
// onnx-proto 8.0.1's for GPT, gradient and optimizer graphs.)

import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { attr } from './ir.js';
import { serializeModel, tensorBytes } from './serialize.js';

const SCALARS = new Set(['int64', 'int32', 'uint64', 'float', 'double']);
// proto2 (explicit presence, as onnx.proto) with packed repeated numbers, as serializeModel writes them.
const f = (type: string, id: number, rule?: 'repeated') => ({
  type,
  id,
  ...(rule ? { rule } : {}),
  ...(rule && SCALARS.has(type) ? { options: { packed: true } } : {}),
});
const message = (fields: Record<string, ReturnType<typeof f>>) => ({ edition: 'proto2', fields });

/** onnx.proto (IR version 9), the messages and fields serializeModel writes plus their neighbours. */
const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: message({
          ir_version: f('int64', 1),
          opset_import: f('OperatorSetIdProto', 8, 'repeated'),
          producer_name: f('string', 2),
          producer_version: f('string', 3),
          domain: f('string', 4),
          model_version: f('int64', 5),
          doc_string: f('string', 6),
          graph: f('GraphProto', 7),
          metadata_props: f('StringStringEntryProto', 14, 'repeated'),
        }),
        OperatorSetIdProto: message({ domain: f('string', 1), version: f('int64', 2) }),
        StringStringEntryProto: message({ key: f('string', 1), value: f('string', 2) }),
        GraphProto: message({
          node: f('NodeProto', 1, 'repeated'),
          name: f('string', 2),
          initializer: f('TensorProto', 5, 'repeated'),
          doc_string: f('string', 10),
          input: f('ValueInfoProto', 11, 'repeated'),
          output: f('ValueInfoProto', 12, 'repeated'),
          value_info: f('ValueInfoProto', 13, 'repeated'),
        }),
        NodeProto: message({
          input: f('string', 1, 'repeated'),
          output: f('string', 2, 'repeated'),
          name: f('string', 3),
          op_type: f('string', 4),
          domain: f('string', 7),
          attribute: f('AttributeProto', 5, 'repeated'),
          doc_string: f('string', 6),
        }),
        AttributeProto: message({
          name: f('string', 1),
          doc_string: f('string', 13),
          type: f('int32', 20),
          f: f('float', 2),
          i: f('int64', 3),
          s: f('bytes', 4),
          t: f('TensorProto', 5),
          g: f('GraphProto', 6),
          floats: f('float', 7, 'repeated'),
          ints: f('int64', 8, 'repeated'),
          strings: f('bytes', 9, 'repeated'),
          tensors: f('TensorProto', 10, 'repeated'),
        }),
        ValueInfoProto: message({
          name: f('string', 1),
          type: f('TypeProto', 2),
          doc_string: f('string', 3),
        }),
        TypeProto: message({ tensor_type: f('TypeProtoTensor', 1), denotation: f('string', 6) }),
        TypeProtoTensor: message({ elem_type: f('int32', 1), shape: f('TensorShapeProto', 2) }),
        TensorShapeProto: message({ dim: f('Dimension', 1, 'repeated') }),
        Dimension: message({
          dim_value: f('int64', 1),
          dim_param: f('string', 2),
          denotation: f('string', 3),
        }),
        TensorProto: message({
          dims: f('int64', 1, 'repeated'),
          data_type: f('int32', 2),
          float_data: f('float', 4, 'repeated'),
          int32_data: f('int32', 5, 'repeated'),
          string_data: f('bytes', 6, 'repeated'),
          int64_data: f('int64', 7, 'repeated'),
          name: f('string', 8),
          doc_string: f('string', 12),
          raw_data: f('bytes', 9),
          external_data: f('StringStringEntryProto', 13, 'repeated'),
          data_location: f('int32', 14),
          double_data: f('double', 10, 'repeated'),
          uint64_data: f('uint64', 11, 'repeated'),
        }),
      },
    },
  },
};

const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');

// biome-ignore lint/suspicious/noExplicitAny: the decoded message is checked field by field
type Decoded = any;

function decode(bytes: Uint8Array): Decoded {
  const decoded = ModelProto.decode(bytes);
  // Re-encoding what protobufjs read must reproduce our bytes: every field number, wire
  // type, packing and field order is then what a protobuf library writes.
  expect(Buffer.from(ModelProto.encode(decoded).finish()).equals(Buffer.from(bytes))).toBe(true);
  return ModelProto.toObject(decoded, { longs: Number, defaults: false, arrays: false });
}

/** A graph using every attribute kind, symbolic dims, int64 extremes and a Constant tensor. */
function sample() {
  const b = new GraphBuilder('sample');
  const x = b.input('x', 'float32', ['B', 3]); // (B, 3)
  const w = b.initializer('w', {
    dtype: 'float32',
    dims: [3, 4],
    data: Float32Array.from({ length: 12 }, (_, i) => i / 4),
  });
  const y = b.op1('Gemm', [b.reshape(x, [-1, 3]), w], { alpha: attr.float(2), beta: 0.5 }, { name: 'gemm' }); // (?, 4)
  const big = b.constant(
    { dtype: 'int64', dims: [3], data: BigInt64Array.from([-1n, 2n, 1n << 40n]) },
    'big',
  );
  const k = b.op1(
    'Constant',
    [],
    { value: attr.tensor({ dtype: 'float32', dims: [2], data: Float32Array.from([1.5, -2]) }) },
    { name: 'k' },
  );
  b.output(b.op1('Transpose', [y], { perm: [1, 0] }, { name: 'tr' }), 'yt');
  b.output(b.op1('Gelu', [k], { approximate: 'tanh' }, { name: 'gelu' }), 'kg');
  b.output(big, 'big_out');
  const custom = b.op1(
    'Custom',
    [x],
    { scales: attr.floats([0.5, -2.25]), pads: [-1, 3, 0] },
    { name: 'custom', domain: 'ai.test', outputInfos: [{ dtype: 'float32', shape: ['B', 3] }] },
  );
  b.output(custom, 'custom_out');
  const axes = b.op('Split', [w], { axis: -1 }, { name: 'split', outputs: 2 });
  b.output(axes[0]!, 's0');
  return b.build();
}

describe('serializeModel', () => {
  it('writes a ModelProto that a protobuf library decodes field for field', () => {
    const graph = sample();
    const m = decode(
      serializeModel(graph, { opset: 21, extraOpsets: { 'com.microsoft': 1 }, docString: 'doc' }),
    );
    expect(m.ir_version).toBe(9);
    expect(m.producer_name).toBe('spinettai');
    expect(m.doc_string).toBe('doc');
    expect(m.opset_import).toEqual([
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ]);
    const g = m.graph;
    expect(g.name).toBe('sample');
    expect(g.node.map((n: Decoded) => n.op_type)).toEqual(graph.nodes.map((n) => n.opType));
    expect(g.node.map((n: Decoded) => [n.input ?? [], n.output, n.domain])).toEqual(
      graph.nodes.map((n) => [n.inputs, n.outputs, n.domain]),
    );
    const node = (name: string) => g.node.find((n: Decoded) => n.name === name);
    // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, INTS 7
    expect(node('gemm').attribute).toEqual([
      { name: 'alpha', type: 1, f: 2 },
      { name: 'beta', type: 1, f: 0.5 },
    ]);
    expect(node('tr').attribute).toEqual([{ name: 'perm', type: 7, ints: [1, 0] }]);
    expect(node('split').attribute).toEqual([{ name: 'axis', type: 2, i: -1 }]);
    // FLOATS 6; a negative int is a ten-byte varint
    expect(node('custom').attribute).toEqual([
      { name: 'scales', type: 6, floats: [0.5, -2.25] },
      { name: 'pads', type: 7, ints: [-1, 3, 0] },
    ]);
    expect(node('custom').domain).toBe('ai.test');
    const approx = node('gelu').attribute[0];
    expect([approx.name, approx.type, new TextDecoder().decode(approx.s)]).toEqual([
      'approximate',
      3,
      'tanh',
    ]);
    const t = node('k').attribute[0];
    expect([t.name, t.type, t.t.dims, t.t.data_type]).toEqual(['value', 4, [2], 1]);
    expect(Array.from(new Float32Array(new Uint8Array(t.t.raw_data).buffer))).toEqual([1.5, -2]);

    const init = new Map(g.initializer.map((i: Decoded) => [i.name, i]));
    const wi = init.get('w') as Decoded;
    expect([wi.dims, wi.data_type]).toEqual([[3, 4], 1]);
    expect(Buffer.from(wi.raw_data).equals(Buffer.from(tensorBytes(graph.initializers.get('w')!)))).toBe(
      true,
    );
    const bi = init.get('big') as Decoded;
    expect([bi.dims, bi.data_type]).toEqual([[3], 7]);
    expect(Array.from(new BigInt64Array(new Uint8Array(bi.raw_data).buffer))).toEqual([-1n, 2n, 1n << 40n]);

    const dims = (v: Decoded) => v.type.tensor_type.shape.dim.map((d: Decoded) => d.dim_param ?? d.dim_value);
    expect(g.input.map((v: Decoded) => [v.name, v.type.tensor_type.elem_type, dims(v)])).toEqual([
      ['x', 1, ['B', 3]],
    ]);
    expect(g.output.map((v: Decoded) => v.name)).toEqual(graph.outputs.map((o) => o.name));
    expect(dims(g.output.find((v: Decoded) => v.name === 'big_out'))).toEqual([3]);
    const declared = new Set([...graph.inputs, ...graph.outputs].map((v) => v.name));
    const internal = [...graph.values.values()].filter(
      (v) => !declared.has(v.name) && !graph.initializers.has(v.name),
    );
    expect(g.value_info.map((v: Decoded) => [v.name, dims(v)])).toEqual(
      internal.map((v) => [v.name, [...v.shape]]),
    );
    expect(dims(g.value_info.find((v: Decoded) => v.name === 'gemm'))).toEqual(['Reshape_0_dim0', 4]);
  });

  it('writes external-data tensors with location, offset, length and data_location EXTERNAL', () => {
    const writes: string[] = [];
    const m = decode(
      serializeModel(sample(), {
        externalData: {
          thresholdBytes: 24,
          write: (name, bytes) => {
            writes.push(name);
            return { location: 'weights.bin', offset: 4096, length: bytes.byteLength };
          },
        },
      }),
    );
    expect(writes).toEqual(['w']); // 48 bytes; `big` has 24, not above the threshold
    const wi = m.graph.initializer.find((i: Decoded) => i.name === 'w');
    expect(wi.raw_data).toBeUndefined();
    expect(wi.data_location).toBe(1);
    expect(wi.external_data).toEqual([
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '4096' },
      { key: 'length', value: '48' },
    ]);
  });
});
