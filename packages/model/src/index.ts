// Public API of @spinettai/model.
export { GraphBuilder, validateGraph } from './graph/builder.js';
export type { AttributeInput, OpOptions, Value } from './graph/builder.js';
export { GraphError } from './graph/errors.js';
export { attr, DEFAULT_OPSET, numel } from './graph/ir.js';
export type { Attribute, Dim, DType, Graph, Node, Shape, TensorArray, TensorData, ValueInfo } from './graph/ir.js';
export { broadcastShapes, dtypeFromOnnx, hasShapeRule, inferOutputs, onnxDTypeCode } from './graph/shapes.js';
export { serializeModel, tensorBytes } from './graph/serialize.js';
export type { SerializeOptions } from './graph/serialize.js';
