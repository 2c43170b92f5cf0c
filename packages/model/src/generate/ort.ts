// The part of onnxruntime's JavaScript API that generation uses, as structural types.
// `onnxruntime-node` and `onnxruntime-web` both fit, so the generator runs in Node
// and in a browser with whichever module the caller injects; this package never
// imports either one outside its `/node` entry.
// Reference: onnxruntime-common's InferenceSession and Tensor.

/** A tensor as onnxruntime returns it: its data and dims. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** An onnxruntime InferenceSession (only the members generation calls). */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** Session options generation passes (both runtimes accept them). */
export interface OrtSessionOptions {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  interOpNumThreads?: number;
  intraOpNumThreads?: number;
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/**
 * An onnxruntime module: `import * as ort from 'onnxruntime-node'` in Node,
 * `import * as ort from 'onnxruntime-web'` in a browser.
 */
export interface OrtModule {
  readonly InferenceSession: {
    /** A model file path (Node) or URL (browser). */
    create(uri: string, options?: OrtSessionOptions): Promise<OrtSession>;
    /** The ONNX model's bytes. */
    create(buffer: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession>;
  };
  readonly Tensor: {
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): OrtTensor;
    new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensor;
  };
}

/** Options of the onnxruntime session. */
export interface DecoderSessionOptions {
  /** Intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number | undefined;
}

/** Session options used for every decoder session. */
export function sessionOptions(o: DecoderSessionOptions = {}): OrtSessionOptions {
  const opts: OrtSessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  };
  if (o.threads !== undefined) opts.intraOpNumThreads = o.threads;
  return opts;
}

/** Opens a session on a model path/URL or on the model's bytes. */
export function createSession(
  ort: OrtModule,
  model: Uint8Array | string,
  options: OrtSessionOptions,
): Promise<OrtSession> {
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}
