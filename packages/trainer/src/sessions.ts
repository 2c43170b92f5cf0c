// onnxruntime session creation shared by the training step, evaluation and the benchmark.
// One session per graph and shape; options tuned for CPU throughput.

import { availableParallelism } from 'node:os';
import { type Graph, serializeModel } from '@spinettai/graph';
import { InferenceSession } from 'onnxruntime-node';

/** Options of `createSession`. */
export interface SessionOptions {
  /** Intra-op threads (default: all cores). */
  threads?: number;
  /** Write an onnxruntime profile (JSON trace) with this file prefix. */
  profilePrefix?: string;
}

/** Creates a CPU session for a graph: all graph optimizations, sequential execution, all cores. */
export async function createSession(graph: Graph, o: SessionOptions = {}): Promise<InferenceSession> {
  const opts: InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: o.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
  };
  if (o.profilePrefix !== undefined) {
    opts.enableProfiling = true;
    opts.profileFilePrefix = o.profilePrefix;
  }
  return InferenceSession.create(serializeModel(graph), opts);
}
