// The safetensors header: parsing and validating it as untrusted input, and
// building it for writing. A file is an 8-byte little-endian header length N, N
// bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`
// and the data section; offsets are relative to the data section, which every
// tensor must cover exactly once (no holes, no overlaps).
// Reference: https://github.com/huggingface/safetensors (format description).

import { CheckpointError } from './errors.js';

/** Bytes per element of each safetensors dtype this package reads. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/**
 * Largest header accepted. The reference reader allows 100 MB, but parsing that much
 * JSON takes gigabytes; GPT-2 small's header is 15 kB and gpt2-xl's under 60 kB.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** Most tensors one file may hold (gpt2-xl has 580; its optimizer state twice that). */
export const MAX_TENSORS = 16_384;

/**
 * JSON tokens (`{ [ : ,` outside strings) allowed per tensor, counted before parsing so
 * that the parse itself stays small: an entry with a rank-4 shape has 14.
 */
const TOKENS_PER_TENSOR = 24;

/** One tensor's entry in the header, with offsets relative to the data section. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A parsed, validated header. */
export interface SafetensorsHeader {
  /** Tensors in the header's key order. */
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the 8-byte header length from the first bytes of a file of `fileSize` bytes and
 * checks it fits the file and the header limit. Returns N.
 */
export function headerLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.byteLength < 8)
    throw new CheckpointError(`file is ${fileSize} bytes, too short to be safetensors (truncated?)`, {
      file,
    });
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw new CheckpointError(
      `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit; the file is corrupt or not safetensors`,
      { file },
    );
  if (Number(n) > fileSize - 8)
    throw new CheckpointError(
      `header length ${n} runs past the end of the ${fileSize}-byte file (truncated?)`,
      { file },
    );
  if (n < 2n) throw new CheckpointError(`header length ${n} is too small for a JSON object`, { file });
  return Number(n);
}

/** Parses and validates the JSON header against a data section of `dataBytes` bytes. */
export function parseHeader(json: Uint8Array, dataBytes: number, file: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new CheckpointError('header is not valid UTF-8; the file is corrupt', { file });
  }
  if (!text.startsWith('{'))
    throw new CheckpointError("header does not start with '{'; not a safetensors file", { file });
  checkTokenCount(json, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`header is not valid JSON (${(e as Error).message}); the file is corrupt`, {
      file,
    });
  }
  if (!isObject(parsed)) throw new CheckpointError('header must be a JSON object', { file });

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isObject(raw)) throw new CheckpointError('__metadata__ must be an object of strings', { file });
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new CheckpointError(`__metadata__.${k} must be a string`, { file });
        metadata[k] = v;
      }
      continue;
    }
    if (entries.length === MAX_TENSORS)
      throw new CheckpointError(
        `header lists more than ${MAX_TENSORS} tensors; the file is corrupt or not a model`,
        { file },
      );
    entries.push(parseEntry(name, raw, dataBytes, file));
  }
  checkCoverage(entries, dataBytes, file);
  return { entries, metadata };
}

/**
 * Counts the JSON structure of the header bytes without parsing them and refuses
 * more than MAX_TENSORS entries' worth: a hostile header of millions of tiny entries
 * would otherwise cost gigabytes inside JSON.parse.
 */
function checkTokenCount(json: Uint8Array, file: string): void {
  const limit = MAX_TENSORS * TOKENS_PER_TENSOR;
  let tokens = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b || c === 0x3a || c === 0x2c) {
      // { [ : ,
      if (++tokens > limit)
        throw new CheckpointError(
          `header is too complex (more than ${MAX_TENSORS} tensors' worth of JSON); the file is corrupt or not a model`,
          { file },
        );
    }
  }
}

function parseEntry(name: string, raw: unknown, dataBytes: number, file: string): SafetensorsEntry {
  const where = { file, tensor: name };
  if (!isObject(raw))
    throw new CheckpointError('header entry must be an object {dtype, shape, data_offsets}', where);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') throw new CheckpointError('dtype is missing', where);
  const bytes = SAFETENSORS_DTYPE_BYTES[dtype];
  if (bytes === undefined)
    throw new CheckpointError(
      `dtype '${dtype}' is not supported (supported: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`,
      where,
    );
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new CheckpointError(
      `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
      where,
    );
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  )
    throw new CheckpointError(
      `data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`,
      where,
    );
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new CheckpointError(`data_offsets [${begin}, ${end}] end before they begin`, where);
  if (end > dataBytes)
    throw new CheckpointError(
      `data_offsets [${begin}, ${end}] run past the ${dataBytes}-byte data section (truncated?)`,
      where,
    );
  const numel = (shape as number[]).reduce((a, d) => a * d, 1); // a float: huge shapes compare unequal, never overflow
  if (numel * bytes !== end - begin)
    throw new CheckpointError(
      `shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${numel * bytes} bytes but data_offsets span ${end - begin}`,
      where,
    );
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Tensors must tile the data section exactly: sorted by offset, each begins where the last ended. */
function checkCoverage(entries: readonly SafetensorsEntry[], dataBytes: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos)
      throw new CheckpointError(`data_offsets [${e.begin}, ${e.end}] overlap another tensor`, {
        file,
        tensor: e.name,
      });
    if (e.begin > pos)
      throw new CheckpointError(`bytes ${pos}..${e.begin} of the data section belong to no tensor`, {
        file,
        tensor: e.name,
      });
    pos = e.end;
  }
  if (pos !== dataBytes)
    throw new CheckpointError(
      `data section is ${dataBytes} bytes but tensors cover ${pos}; the file has trailing bytes`,
      { file },
    );
}

/**
 * Serializes a header for tensors laid out back to back in the given order, padded
 * with spaces to a multiple of 8 bytes. Returns the 8-byte length prefix + JSON.
 */
export function buildHeader(
  tensors: readonly { name: string; dtype: string; shape: readonly number[]; byteLength: number }[],
  metadata: Readonly<Record<string, string>> | undefined,
): { prefix: Uint8Array; dataBytes: number } {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || Object.hasOwn(header, t.name))
      throw new CheckpointError('tensor name is reserved or used twice', { tensor: t.name });
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + t.byteLength] };
    offset += t.byteLength;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((new TextEncoder().encode(json).byteLength + 8) % 8)) % 8;
  json += ' '.repeat(pad);
  const body = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8 + body.byteLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  prefix.set(body, 8);
  return { prefix, dataBytes: offset };
}
