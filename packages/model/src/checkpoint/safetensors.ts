// Reading and writing safetensors files (Hugging Face's weight format) in memory
// and on disk. Files are untrusted: the header is bounded and validated
// (safetensorsHeader.ts) before any tensor memory is allocated, and every read is
// checked for truncation. F16 and BF16 tensors are widened to float32 on read.
// Writers sort tensors by name so the same tensors always give the same bytes.
// Reference: https://github.com/huggingface/safetensors (format description).

import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { DType, TensorData } from '@spinettai/graph';
import { CheckpointError } from './errors.js';
import { buildHeader, headerLength, parseHeader, type SafetensorsEntry } from './safetensorsHeader.js';

/** Tensors and string metadata of a safetensors file. */
export interface SafetensorsContent {
  /** Tensors in header order. */
  readonly tensors: Map<string, TensorData>;
  readonly metadata: Record<string, string>;
}

const WRITE_DTYPES: Record<DType, string> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

if (endianness() !== 'LE') throw new CheckpointError('safetensors support needs a little-endian machine');

/** float16 bits → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Typed tensor from an entry's bytes (`bytes` is a private, aligned copy). */
function toTensor(e: SafetensorsEntry, bytes: Uint8Array): TensorData {
  const buf = bytes.buffer as ArrayBuffer;
  const n = e.end - e.begin;
  const dims = [...e.shape];
  switch (e.dtype) {
    case 'F32':
      return { dtype: 'float32', dims, data: new Float32Array(buf, bytes.byteOffset, n / 4) };
    case 'F64':
      return { dtype: 'float64', dims, data: new Float64Array(buf, bytes.byteOffset, n / 8) };
    case 'F16': {
      const h = new Uint16Array(buf, bytes.byteOffset, n / 2);
      return { dtype: 'float32', dims, data: Float32Array.from(h, halfToFloat) };
    }
    case 'BF16': {
      const h = new Uint16Array(buf, bytes.byteOffset, n / 2);
      const bits = Uint32Array.from(h, (x) => x << 16);
      return { dtype: 'float32', dims, data: new Float32Array(bits.buffer) };
    }
    case 'I64':
      return { dtype: 'int64', dims, data: new BigInt64Array(buf, bytes.byteOffset, n / 8) };
    case 'I32':
      return { dtype: 'int32', dims, data: new Int32Array(buf, bytes.byteOffset, n / 4) };
    case 'I16':
      return { dtype: 'int32', dims, data: Int32Array.from(new Int16Array(buf, bytes.byteOffset, n / 2)) };
    case 'I8':
      return { dtype: 'int8', dims, data: new Int8Array(buf, bytes.byteOffset, n) };
    case 'U8':
      return { dtype: 'uint8', dims, data: new Uint8Array(buf, bytes.byteOffset, n) };
    case 'BOOL':
      return { dtype: 'bool', dims, data: new Uint8Array(buf, bytes.byteOffset, n) };
    default:
      throw new CheckpointError(`dtype '${e.dtype}' is not supported`, { tensor: e.name });
  }
}

/** Decodes a whole safetensors file held in memory. */
export function decodeSafetensors(bytes: Uint8Array, file = '<memory>'): SafetensorsContent {
  const n = headerLength(bytes.subarray(0, 8), bytes.byteLength, file);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength - 8 - n, file);
  const tensors = new Map<string, TensorData>();
  const start = 8 + n;
  for (const e of header.entries)
    tensors.set(e.name, toTensor(e, bytes.slice(start + e.begin, start + e.end)));
  return { tensors, metadata: { ...header.metadata } };
}

function sortedEntries(tensors: Iterable<readonly [string, TensorData]>) {
  const list = [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return list.map(([name, t]) => {
    const expected = t.dims.reduce((a, b) => a * b, 1);
    if (t.data.length !== expected)
      throw new CheckpointError(
        `has ${t.data.length} elements but dims [${t.dims.join(', ')}] need ${expected}`,
        { tensor: name },
      );
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    return { name, dtype: WRITE_DTYPES[t.dtype], shape: t.dims, byteLength: bytes.byteLength, bytes };
  });
}

/** Encodes tensors (sorted by name) and metadata as safetensors bytes. */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, TensorData]>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = sortedEntries(tensors);
  const { prefix, dataBytes } = buildHeader(entries, metadata);
  const out = new Uint8Array(prefix.byteLength + dataBytes);
  out.set(prefix, 0);
  let pos = prefix.byteLength;
  for (const e of entries) {
    out.set(e.bytes, pos);
    pos += e.byteLength;
  }
  return out;
}

/** Reads and validates a safetensors file without trusting its header. */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContent> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_RDONLY);
  } catch (e) {
    throw new CheckpointError(`cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: path,
    });
  }
  try {
    const size = (await fh.stat()).size;
    const readAt = async (position: number, length: number, tensor?: string): Promise<Uint8Array> => {
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, position + done);
        if (bytesRead === 0)
          throw new CheckpointError('file ended early (truncated while reading?)', { file: path, tensor });
        done += bytesRead;
      }
      return buf;
    };
    const n = headerLength(await readAt(0, Math.min(8, size)), size, path);
    const header = parseHeader(await readAt(8, n), size - 8 - n, path);
    const tensors = new Map<string, TensorData>();
    for (const e of header.entries)
      tensors.set(e.name, toTensor(e, await readAt(8 + n + e.begin, e.end - e.begin, e.name)));
    return { tensors, metadata: { ...header.metadata } };
  } finally {
    await fh.close();
  }
}

/**
 * Writes tensors (sorted by name) to `path` atomically: a temp file in the same folder,
 * fsync, then rename over the target.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Iterable<readonly [string, TensorData]>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const entries = sortedEntries(tensors);
  const { prefix } = buildHeader(entries, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    let pos = 0;
    const write = async (bytes: Uint8Array) => {
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, pos + done);
        done += bytesWritten;
      }
      pos += bytes.byteLength;
    };
    await write(prefix);
    for (const e of entries) await write(e.bytes);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}
