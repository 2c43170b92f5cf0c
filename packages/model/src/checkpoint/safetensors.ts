// Reading and writing safetensors files (Hugging Face's weight format) in memory
// and on disk. Files are untrusted: the header is bounded and validated
// (safetensorsHeader.ts) before any tensor memory is allocated; `openSafetensorsFile`
// hands the validated header to the caller, which checks names and shapes before
// reading tensors one by one at their offsets, in reads of at most 1 GiB, each
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

export type { SafetensorsEntry } from './safetensorsHeader.js';

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

/** All 65,536 float16 values as float32, built on first use (gpt2's 124 M weights convert in one pass). */
let halfTable: Float32Array | undefined;
function halfToFloat32(h: Uint16Array): Float32Array {
  halfTable ??= Float32Array.from({ length: 65536 }, (_, i) => halfToFloat(i));
  const table = halfTable;
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = table[h[i]!]!;
  return out;
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
      return { dtype: 'float32', dims, data: halfToFloat32(new Uint16Array(buf, bytes.byteOffset, n / 2)) };
    }
    case 'BF16': {
      const h = new Uint16Array(buf, bytes.byteOffset, n / 2);
      const bits = new Uint32Array(h.length);
      for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16; // bfloat16 is float32's top half
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

/** Largest single read: Node's fs layer refuses (aborts on) a length past 2³¹ − 1 bytes. */
export const MAX_READ_BYTES = 1 << 30;

/** The subset of a FileHandle that reads use (a seam for tests). */
export interface PositionalReader {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/**
 * Fills `into` from `position` in reads of at most MAX_READ_BYTES; a short file is a
 * CheckpointError naming `file` and `tensor`.
 */
export async function readFully(
  fh: PositionalReader,
  into: Uint8Array,
  position: number,
  where: { file: string; tensor?: string },
): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const length = Math.min(MAX_READ_BYTES, into.byteLength - done);
    const { bytesRead } = await fh.read(into, done, length, position + done);
    if (bytesRead === 0) throw new CheckpointError('file ended early (truncated while reading?)', where);
    done += bytesRead;
  }
}

/** A safetensors file whose header has been read and validated, and whose tensors are read on demand. */
export interface SafetensorsFile {
  readonly path: string;
  /** Tensors in header order, with dtype, shape and byte range; nothing is read yet. */
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Reads one tensor by offset (F16/BF16 widened to float32). */
  read(entry: SafetensorsEntry): Promise<TensorData>;
  close(): Promise<void>;
}

/**
 * Opens a safetensors file and validates its header (size, entry count, dtypes, shapes,
 * offsets) without reading any tensor data, so callers can check names and shapes
 * before allocating anything. Close it when done.
 */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_RDONLY);
  } catch (e) {
    throw new CheckpointError(`cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: path,
    });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory())
      throw new CheckpointError('is a folder, not a safetensors file; remove or rename it', { file: path });
    if (!st.isFile()) throw new CheckpointError('is not a regular file', { file: path });
    const size = st.size;
    const first8 = new Uint8Array(Math.min(8, size));
    await readFully(fh, first8, 0, { file: path });
    const n = headerLength(first8, size, path);
    const json = new Uint8Array(n);
    await readFully(fh, json, 8, { file: path });
    const header = parseHeader(json, size - 8 - n, path);
    const dataStart = 8 + n;
    return {
      path,
      entries: header.entries,
      metadata: header.metadata,
      async read(e) {
        const bytes = new Uint8Array(e.end - e.begin);
        await readFully(fh, bytes, dataStart + e.begin, { file: path, tensor: e.name });
        return toTensor(e, bytes);
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Options of `readSafetensorsFile`. */
export interface ReadSafetensorsOptions {
  /**
   * Called with the validated header before any tensor is read; throw to refuse the
   * file (e.g. unexpected names or shapes) without allocating its tensors.
   */
  readonly check?: (entries: readonly SafetensorsEntry[], metadata: Readonly<Record<string, string>>) => void;
}

/** Reads and validates a whole safetensors file without trusting its header. */
export async function readSafetensorsFile(
  path: string,
  opts: ReadSafetensorsOptions = {},
): Promise<SafetensorsContent> {
  const unknown = Object.keys(opts).filter((k) => k !== 'check');
  if (unknown.length > 0)
    throw new CheckpointError(
      `readSafetensorsFile: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}`,
    );
  const file = await openSafetensorsFile(path);
  try {
    opts.check?.(file.entries, file.metadata);
    const tensors = new Map<string, TensorData>();
    for (const e of file.entries) tensors.set(e.name, await file.read(e));
    return { tensors, metadata: { ...file.metadata } };
  } finally {
    await file.close();
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
