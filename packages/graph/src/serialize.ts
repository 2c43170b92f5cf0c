// Turns a Graph into ONNX ModelProto bytes with the maintained `onnx-proto`
// protobuf bindings. Tensors are stored as little-endian raw_data.

import onnxProto from 'onnx-proto';
import { GraphError } from './errors.js';
import { type Attribute, DEFAULT_OPSET, type Graph, type TensorData, type ValueInfo } from './ir.js';
import { onnxDTypeCode } from './shapes.js';
import { isValidated, validateGraph } from './validate.js';

const { onnx } = onnxProto;

/** Options of `serializeModel`. */
export interface SerializeOptions {
  /** Default-domain opset (default 20). */
  opset?: number;
  /** Extra opset imports, e.g. `{ 'com.microsoft': 1 }`. */
  extraOpsets?: Record<string, number>;
  producerName?: string;
  docString?: string;
  /**
   * Store initializers above this many bytes as external data: the callback gets the
   * tensor's bytes and returns where it put them (file location, offset, length).
   */
  externalData?: {
    thresholdBytes: number;
    write: (name: string, bytes: Uint8Array) => { location: string; offset: number; length: number };
  };
}

/** IR version matching opset 20/21 models. */
const IR_VERSION = 9;

/** Little-endian bytes of a tensor's data. */
export function tensorBytes(t: TensorData): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function tensorProto(name: string, t: TensorData, opts: SerializeOptions): onnxProto.onnx.ITensorProto {
  const bytes = tensorBytes(t);
  const proto: onnxProto.onnx.ITensorProto = { name, dims: [...t.dims], dataType: onnxDTypeCode(t.dtype) };
  if (opts.externalData && bytes.byteLength > opts.externalData.thresholdBytes) {
    const where = opts.externalData.write(name, bytes);
    proto.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    proto.externalData = [
      { key: 'location', value: where.location },
      { key: 'offset', value: String(where.offset) },
      { key: 'length', value: String(where.length) },
    ];
  } else {
    proto.rawData = bytes;
  }
  return proto;
}

function attributeProto(name: string, a: Attribute, opts: SerializeOptions): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorProto('', a.value, { ...opts, externalData: undefined }) };
  }
}

function valueInfoProto(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: onnxDTypeCode(v.dtype),
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/**
 * Validates a graph (see `validateGraph`; skipped for a graph object that already passed,
 * such as the result of `GraphBuilder.build`) and serializes it to ONNX model bytes.
 */
export function serializeModel(graph: Graph, opts: SerializeOptions = {}): Uint8Array {
  if (!isValidated(graph)) validateGraph(graph);
  const opsetImport = [{ domain: '', version: opts.opset ?? DEFAULT_OPSET }];
  for (const [domain, version] of Object.entries(opts.extraOpsets ?? {}))
    opsetImport.push({ domain, version });
  const declared = new Set([...graph.inputs, ...graph.outputs].map((v) => v.name));
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: opts.producerName ?? 'spinettai',
    docString: opts.docString ?? '',
    opsetImport,
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
      initializer: [...graph.initializers].map(([name, t]) => tensorProto(name, t, opts)),
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([k, a]) => attributeProto(k, a, opts)),
      })),
      valueInfo: [...graph.values.values()]
        .filter((v) => !declared.has(v.name) && !graph.initializers.has(v.name))
        .map(valueInfoProto),
    },
  };
  const err = onnx.ModelProto.verify(model);
  if (err) throw new GraphError(`cannot serialize graph '${graph.name}': ${err}`);
  return onnx.ModelProto.encode(model).finish();
}
