// Turns a Graph into ONNX ModelProto bytes, written directly in the protobuf wire
// format (protoWriter.ts) with the field numbers of onnx/onnx.proto, so the package
// needs no protobuf runtime. Tensors are stored as little-endian raw_data, or as
// external data. Only the fields SpinettAI graphs use are written.
// Schema: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto

import { GraphError, rejectUnknownKeys } from './errors.js';
import { type Attribute, DEFAULT_OPSET, type Graph, type TensorData, type ValueInfo } from './ir.js';
import { ProtoWriter } from './protoWriter.js';
import { onnxDTypeCode } from './shapes.js';
import { isValidated, validateGraph } from './validate.js';

/** Options of `serializeModel`. */
export interface SerializeOptions {
  /** Default-domain opset (default 20). */
  opset?: number | undefined;
  /** Extra opset imports, e.g. `{ 'com.microsoft': 1 }`. */
  extraOpsets?: Record<string, number> | undefined;
  /** ModelProto.producer_name (default 'spinettai'). */
  producerName?: string | undefined;
  /** ModelProto.doc_string (default ''). */
  docString?: string | undefined;
  /**
   * Store initializers above this many bytes as external data: the callback gets the
   * tensor's bytes and returns where it put them (file location, offset, length).
   */
  externalData?:
    | {
        thresholdBytes: number;
        write: (name: string, bytes: Uint8Array) => { location: string; offset: number; length: number };
      }
    | undefined;
}

const SERIALIZE_KEYS = ['opset', 'extraOpsets', 'producerName', 'docString', 'externalData'] as const;

/** IR version matching opset 20/21 models. */
const IR_VERSION = 9;

// Field numbers of onnx.proto, one object per message.
const MODEL = { irVersion: 1, producerName: 2, docString: 6, graph: 7, opsetImport: 8 } as const;
const OPSET_ID = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 } as const;
/** AttributeProto.AttributeType. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
/** TensorProto.DataLocation.EXTERNAL. */
const EXTERNAL = 1;
const STRING_ENTRY = { key: 1, value: 2 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { dimValue: 1, dimParam: 2 } as const;

/** Little-endian bytes of a tensor's data. */
export function tensorBytes(t: TensorData): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function tensorProto(name: string, t: TensorData, opts: SerializeOptions): ProtoWriter {
  const bytes = tensorBytes(t);
  const w = new ProtoWriter().packedInts(TENSOR.dims, t.dims).int(TENSOR.dataType, onnxDTypeCode(t.dtype));
  w.string(TENSOR.name, name);
  if (opts.externalData && bytes.byteLength > opts.externalData.thresholdBytes) {
    const where = opts.externalData.write(name, bytes);
    const entries: [string, string][] = [
      ['location', where.location],
      ['offset', String(where.offset)],
      ['length', String(where.length)],
    ];
    for (const [key, value] of entries)
      w.message(
        TENSOR.externalData,
        new ProtoWriter().string(STRING_ENTRY.key, key).string(STRING_ENTRY.value, value),
      );
    w.int(TENSOR.dataLocation, EXTERNAL);
  } else {
    w.bytes(TENSOR.rawData, bytes);
  }
  return w;
}

function attributeProto(name: string, a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(ATTRIBUTE.name, name);
  switch (a.kind) {
    case 'int':
      w.int(ATTRIBUTE.i, a.value);
      break;
    case 'float':
      w.float(ATTRIBUTE.f, a.value);
      break;
    case 'ints':
      w.packedInts(ATTRIBUTE.ints, a.value);
      break;
    case 'floats':
      w.packedFloats(ATTRIBUTE.floats, a.value);
      break;
    case 'string':
      w.string(ATTRIBUTE.s, a.value);
      break;
    case 'tensor':
      w.message(ATTRIBUTE.t, tensorProto('', a.value, {}));
      break;
  }
  return w.int(ATTRIBUTE.type, ATTRIBUTE_TYPE[a.kind]);
}

function valueInfoProto(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(DIMENSION.dimValue, d);
    else dim.string(DIMENSION.dimParam, d);
    shape.message(SHAPE.dim, dim);
  }
  const tensorType = new ProtoWriter()
    .int(TENSOR_TYPE.elemType, onnxDTypeCode(v.dtype))
    .message(TENSOR_TYPE.shape, shape);
  return new ProtoWriter()
    .string(VALUE_INFO.name, v.name)
    .message(VALUE_INFO.type, new ProtoWriter().message(TYPE.tensorType, tensorType));
}

function checkInt(what: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new GraphError(`cannot serialize ${what}: ${v} is not an integer`);
}

/**
 * Validates a graph (see `validateGraph`; skipped for a graph object that already passed,
 * such as the result of `GraphBuilder.build`) and serializes it to ONNX model bytes.
 */
export function serializeModel(graph: Graph, opts: SerializeOptions = {}): Uint8Array {
  rejectUnknownKeys('serializeModel', opts, SERIALIZE_KEYS);
  if (opts.externalData !== undefined)
    rejectUnknownKeys('externalData', opts.externalData, ['thresholdBytes', 'write']);
  if (!isValidated(graph)) validateGraph(graph);
  const opsets: [string, number][] = [
    ['', opts.opset ?? DEFAULT_OPSET],
    ...Object.entries(opts.extraOpsets ?? {}),
  ];
  for (const [domain, version] of opsets) checkInt(`opset version of domain '${domain}'`, version);
  for (const n of graph.nodes)
    for (const [k, a] of Object.entries(n.attributes)) {
      if (a.kind === 'int') checkInt(`attribute '${k}' of node '${n.name}'`, a.value);
      if (a.kind === 'ints') for (const v of a.value) checkInt(`attribute '${k}' of node '${n.name}'`, v);
    }

  const g = new ProtoWriter();
  for (const n of graph.nodes) {
    const node = new ProtoWriter();
    for (const i of n.inputs) node.string(NODE.input, i);
    for (const o of n.outputs) node.string(NODE.output, o);
    node.string(NODE.name, n.name).string(NODE.opType, n.opType);
    for (const [k, a] of Object.entries(n.attributes)) node.message(NODE.attribute, attributeProto(k, a));
    node.string(NODE.domain, n.domain);
    g.message(GRAPH.node, node);
  }
  g.string(GRAPH.name, graph.name);
  for (const [name, t] of graph.initializers) g.message(GRAPH.initializer, tensorProto(name, t, opts));
  for (const v of graph.inputs) g.message(GRAPH.input, valueInfoProto(v));
  for (const v of graph.outputs) g.message(GRAPH.output, valueInfoProto(v));
  const declared = new Set([...graph.inputs, ...graph.outputs].map((v) => v.name));
  for (const v of graph.values.values())
    if (!declared.has(v.name) && !graph.initializers.has(v.name))
      g.message(GRAPH.valueInfo, valueInfoProto(v));

  const model = new ProtoWriter()
    .int(MODEL.irVersion, IR_VERSION)
    .string(MODEL.producerName, opts.producerName ?? 'spinettai')
    .string(MODEL.docString, opts.docString ?? '')
    .message(MODEL.graph, g);
  for (const [domain, version] of opsets)
    model.message(
      MODEL.opsetImport,
      new ProtoWriter().string(OPSET_ID.domain, domain).int(OPSET_ID.version, version),
    );
  return model.finish();
}
