// Public API of @spinettai/graph: build an ONNX graph in TypeScript, infer shapes as it
// is built, differentiate it (reverse mode, one gradient rule per ONNX op, standard ops
// only) and serialize it for onnxruntime. Runs in Node and in browsers (no Node-only
// imports).

export type { GradContext, GradientRule } from './autodiff/context.js';
export type { GradientGraph, GradientOptions } from './autodiff/engine.js';
export { buildGradientGraph } from './autodiff/engine.js';
export { GradientError, MissingGradientRuleError } from './autodiff/errors.js';
export type { AttributeInput, OpOptions, Value } from './builder.js';
export { GraphBuilder, validateGraph } from './builder.js';
export { GraphError } from './errors.js';
export type {
  Attribute,
  Dim,
  DType,
  Graph,
  Node,
  Shape,
  TensorArray,
  TensorData,
  ValueInfo,
} from './ir.js';
export { attr, DEFAULT_OPSET } from './ir.js';
export { hasShapeRule, inferOutputs, OPS, supportedGradientOps } from './ops/index.js';
export type { AdamWResult, AdamWSlot, AdamWStep, OptInputName } from './optim/adamw.js';
export { ADAMW, adamwScalars, addAdamW, decays, OPT_INPUTS } from './optim/adamw.js';
export type { RandomState } from './random.js';
export { SeededRandom, SeededRandomError } from './random.js';
export type { SerializeOptions } from './serialize.js';
export { serializeModel, tensorBytes } from './serialize.js';
export type { InferContext, InferredOutput, OpDef, OpTable, RuleContext, ShapeRule } from './shapes.js';
export { dtypeFromOnnx, onnxDTypeCode } from './shapes.js';
