// The in-memory form of an ONNX graph: plain data that the builder produces, the
// trainer's autodiff reads and extends, and serialize.ts turns into ONNX bytes.
// Names follow ONNX (op types, attribute names); values are referred to by name.

/** Element types used by SpinettAI graphs. */
export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** A dimension: a fixed size, or a symbolic name such as `'batch'`. */
export type Dim = number | string;

/** A tensor shape; `[]` is a scalar. */
export type Shape = readonly Dim[];

/** A named value in a graph with its element type and (possibly symbolic) shape. */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

/** The JavaScript array that holds a tensor's elements for each dtype. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int8Array
  | Uint8Array;

/** Concrete tensor data (initializers, constants, attribute tensors). bool and uint8 use Uint8Array; float16 raw bits in Uint16Array. */
export interface TensorData {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorArray;
}

/** An ONNX attribute, tagged with its ONNX attribute type. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorData };

/** One ONNX node. An empty string in `inputs` marks an omitted optional input. */
export interface Node {
  readonly name: string;
  readonly opType: string;
  /** '' is the default ONNX domain. */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

/** A whole graph in topological order. */
export interface Graph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Weights and constants stored in the model, by value name. */
  readonly initializers: ReadonlyMap<string, TensorData>;
  readonly nodes: readonly Node[];
  /** Every value's dtype and shape: inputs, initializers and node outputs. */
  readonly values: ReadonlyMap<string, ValueInfo>;
}

/** The default opset of SpinettAI graphs (Gelu with approximate='tanh' needs 20). */
export const DEFAULT_OPSET = 20;

/**
 * Attribute constructors. `GraphBuilder.op` tags plain values itself (an integer is an
 * int, a fraction a float, a number array ints, a string a string); use these when
 * that guess is wrong: a float attribute whose value is integral, float lists, tensors.
 *
 * @example
 * b.op1('Gemm', [a, w], { alpha: attr.float(2), transB: 1 }); // `alpha: 2` would be an int attribute
 * b.op1('Gemm', [a, w], { alpha: 0.5, transB: 1 }); // 0.5 is a float, 1 an int
 */
export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  tensor: (value: TensorData): Attribute => ({ kind: 'tensor', value }),
};
