// Writes a Graph as an ONNX file. Protobuf messages cannot exceed 2 GB, so when the
// weights are larger than PROTOBUF_SAFE_BYTES every initializer over 1 KiB goes to one
// external data file beside the model (`model.onnx_data`, ONNX external-data layout),
// which onnxruntime and transformers.js read from the same folder.
// Reference: https://onnx.ai/onnx/repo-docs/ExternalData.html

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Graph, serializeModel } from '@spinettai/graph';
import { writeFileSynced } from '../checkpoint/atomic.js';

/** Weights above this many bytes are written as external data (a margin under 2 GiB). */
export const PROTOBUF_SAFE_BYTES = 1.9e9;

/** Total bytes of a graph's initializers. */
export function initializerBytes(graph: Graph): number {
  let n = 0;
  for (const t of graph.initializers.values()) n += t.data.byteLength;
  return n;
}

/** Options of `writeOnnxFile`. */
export interface WriteOnnxOptions {
  /** Force (true) or forbid (false) external data; default: only above PROTOBUF_SAFE_BYTES. */
  externalData?: boolean | undefined;
  /** Text stored in the model's doc_string. */
  docString?: string;
}

/** Opset imports for the non-standard domains a graph uses (MatMulNBits is com.microsoft, version 1). */
export function extraOpsets(graph: Graph): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of graph.nodes) if (n.domain !== '') out[n.domain] = 1;
  return out;
}

/** Writes `graph` to the new file `path` (fsynced, not renamed: callers build a temp folder). Returns the files written. */
export async function writeOnnxFile(
  graph: Graph,
  path: string,
  opts: WriteOnnxOptions = {},
): Promise<string[]> {
  const external = opts.externalData ?? initializerBytes(graph) > PROTOBUF_SAFE_BYTES;
  const docString = opts.docString ?? '';
  if (!external) {
    await writeFileSynced(
      path,
      serializeModel(graph, { docString, producerName: 'spinettai', extraOpsets: extraOpsets(graph) }),
    );
    return [path];
  }
  const dataName = `${basename(path)}_data`;
  const dataPath = join(dirname(path), dataName);
  const fd = openSync(dataPath, 'w');
  let offset = 0;
  let bytes: Uint8Array;
  try {
    bytes = serializeModel(graph, {
      docString,
      producerName: 'spinettai',
      extraOpsets: extraOpsets(graph),
      externalData: {
        thresholdBytes: 1024,
        write: (_name, data) => {
          // Align each tensor to 4 KiB so it can be memory-mapped.
          const pad = (4096 - (offset % 4096)) % 4096;
          if (pad > 0) writeSync(fd, new Uint8Array(pad), 0, pad, offset);
          offset += pad;
          for (let done = 0; done < data.byteLength; )
            done += writeSync(fd, data, done, data.byteLength - done, offset + done);
          const where = { location: dataName, offset, length: data.byteLength };
          offset += data.byteLength;
          return where;
        },
      },
    });
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await writeFileSynced(path, bytes);
  return [path, dataPath];
}
