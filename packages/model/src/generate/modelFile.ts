// Hands a KV-cache graph to onnxruntime: as bytes when it fits in one protobuf
// message, otherwise as a temporary ONNX file with external data (deleted once the
// session has read it).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Graph, serializeModel } from '@spinettai/graph';
import { extraOpsets, initializerBytes, PROTOBUF_SAFE_BYTES, writeOnnxFile } from '../export/onnxFile.js';

/** A model for `InferenceSession.create` and how to clean up after it. */
export interface ModelSource {
  source: Uint8Array | string;
  cleanup(): Promise<void>;
}

/** Serializes `graph` in memory, or to a temp folder when it is too large for protobuf. */
export async function modelBytesOrFile(graph: Graph): Promise<ModelSource> {
  if (initializerBytes(graph) <= PROTOBUF_SAFE_BYTES)
    return { source: serializeModel(graph, { extraOpsets: extraOpsets(graph) }), cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'spinettai-model-'));
  try {
    const path = join(dir, 'model.onnx');
    await writeOnnxFile(graph, path, { externalData: true });
    return { source: path, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
