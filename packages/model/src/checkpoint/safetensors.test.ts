import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from './errors.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_READ_BYTES,
  openSafetensorsFile,
  type PositionalReader,
  readFully,
  readSafetensorsFile,
  writeSafetensorsFile,
} from './safetensors.js';

/** A safetensors file assembled by hand from the format description (independent of the writer). */
function handMade(header: unknown, data: number[], lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function expectError(fn: () => unknown, pattern: RegExp, tensor?: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as Error).message).toMatch(pattern);
  if (tensor !== undefined) {
    expect((err as CheckpointError).tensor).toBe(tensor);
    expect((err as Error).message).toContain(`'${tensor}'`);
  }
}

const f32 = (dims: number[], values: number[]): TensorData => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});

describe('safetensors decoding', () => {
  it('reads a hand-made file with F32, I64, F16 and BF16 tensors and metadata', () => {
    // F32 [1.5, -2] | I64 [7] | F16 0x3C00 = 1, 0xC000 = -2 | BF16 0x3FC0 = 1.5
    const bytes = handMade(
      {
        __metadata__: { format: 'pt' },
        w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        i: { dtype: 'I64', shape: [1, 1], data_offsets: [8, 16] },
        h: { dtype: 'F16', shape: [2], data_offsets: [16, 20] },
        b: { dtype: 'BF16', shape: [], data_offsets: [20, 22] },
      },
      [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 7, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x3c, 0x00, 0xc0, 0xc0, 0x3f],
    );
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['w', 'i', 'h', 'b']);
    expect(Array.from(tensors.get('w')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(tensors.get('i')).toEqual({ dtype: 'int64', dims: [1, 1], data: BigInt64Array.from([7n]) });
    expect(tensors.get('h')!.dtype).toBe('float32');
    expect(Array.from(tensors.get('h')!.data as Float32Array)).toEqual([1, -2]);
    expect(tensors.get('b')!.dims).toEqual([]);
    expect(Array.from(tensors.get('b')!.data as Float32Array)).toEqual([1.5]);
  });

  it('round-trips every writable dtype byte for byte', () => {
    const tensors = new Map<string, TensorData>([
      ['z.f64', { dtype: 'float64', dims: [3], data: Float64Array.from([1e-300, -0, Math.PI]) }],
      ['a.f32', f32([2, 2], [1, 2, 3, 4])],
      ['m.i32', { dtype: 'int32', dims: [2], data: Int32Array.from([-5, 2 ** 31 - 1]) }],
      ['n.i8', { dtype: 'int8', dims: [1], data: Int8Array.from([-128]) }],
      ['o.u8', { dtype: 'uint8', dims: [2], data: Uint8Array.from([0, 255]) }],
      ['p.bool', { dtype: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) }],
      ['q.i64', { dtype: 'int64', dims: [0], data: new BigInt64Array(0) }],
    ]);
    const bytes = encodeSafetensors(tensors, { note: 'x' });
    expect((new DataView(bytes.buffer).getUint32(0, true) + 8) % 8).toBe(0); // header padded to 8
    const back = decodeSafetensors(bytes);
    expect([...back.tensors.keys()]).toEqual([...tensors.keys()].sort());
    for (const [name, t] of tensors) expect(back.tensors.get(name)).toEqual(t);
    expect(encodeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
  });

  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = [0, 0, 128, 63, 0, 0, 0, 64];
  it('rejects a truncated file', () => {
    const bytes = handMade(ok, data8);
    expectError(() => decodeSafetensors(bytes.subarray(0, 5)), /too short/);
    expectError(() => decodeSafetensors(bytes.subarray(0, 20)), /runs past the end/);
    expectError(
      () => decodeSafetensors(bytes.subarray(0, bytes.byteLength - 3)),
      /run past the 5-byte data section/,
      't',
    );
  });
  it('rejects a huge header length without allocating it', () => {
    expectError(() => decodeSafetensors(handMade(ok, data8, 2n ** 62n)), /exceeds the 16777216-byte limit/);
    // The reference reader's 100 MB limit let a 99 MB header through, which took gigabytes to parse.
    expectError(() => decodeSafetensors(handMade(ok, data8, 99_000_000n)), /exceeds the 16777216-byte limit/);
  });
  it('refuses a header of too many entries, the worst before parsing it', () => {
    const header = (n: number) =>
      `{${Array.from({ length: n }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`;
    expectError(
      () => decodeSafetensors(handMade(header(20_000), [])),
      /header lists more than 16384 tensors/,
    );
    expectError(
      () => decodeSafetensors(handMade(header(200_000), [])),
      /too complex \(more than 16384 tensors/,
    );
    // Structure hidden inside strings is not counted: one entry with a long name parses.
    const name = '{[:,'.repeat(200_000);
    const { tensors } = decodeSafetensors(
      handMade({ [name]: { dtype: 'F32', shape: [], data_offsets: [0, 4] } }, [0, 0, 128, 63]),
    );
    expect([...tensors.keys()]).toEqual([name]);
    // A long shape list counts: 400,000 dims of 1.
    expectError(
      () =>
        decodeSafetensors(
          handMade(
            { t: { dtype: 'F32', shape: new Array(400_000).fill(1), data_offsets: [0, 4] } },
            [0, 0, 128, 63],
          ),
        ),
      /too complex/,
    );
  });
  it('rejects headers that are not JSON objects', () => {
    expectError(() => decodeSafetensors(handMade('{"t": [', [])), /not valid JSON/);
    expectError(() => decodeSafetensors(handMade('[1, 2]', [])), /does not start with/);
    expectError(() => decodeSafetensors(handMade({ t: 5 }, [])), /must be an object/, 't');
    expectError(
      () => decodeSafetensors(handMade({ __metadata__: { a: 1 } }, [])),
      /__metadata__.a must be a string/,
    );
  });
  it('rejects bad offsets: out of range, overlapping, holes, trailing bytes', () => {
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data8)),
      /run past/,
      't',
    );
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data8)),
      /end before/,
      't',
    );
    expectError(
      () =>
        decodeSafetensors(
          handMade(
            {
              a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
              b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
            },
            data8,
          ),
        ),
      /overlap/,
      'b',
    );
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8)),
      /belong to no tensor/,
      't',
    );
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data8)),
      /trailing bytes/,
    );
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [2], data_offsets: [0, -8] } }, data8)),
      /data_offsets must be/,
      't',
    );
  });
  it('rejects an unknown dtype and a shape that does not match its bytes', () => {
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'Q4', shape: [2], data_offsets: [0, 8] } }, data8)),
      /dtype 'Q4' is not supported/,
      't',
    );
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8)),
      /needs 12 bytes/,
      't',
    );
    expectError(
      () =>
        decodeSafetensors(
          handMade({ t: { dtype: 'F64', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, data8),
        ),
      /data_offsets span 8/,
      't',
    );
    expectError(
      () => decodeSafetensors(handMade({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data8)),
      /non-negative integers/,
      't',
    );
  });
});

describe('reading by offset', () => {
  it('splits a 3 GB tensor into reads of at most 1 GiB (one read past 2 GiB aborts Node)', async () => {
    const lengths: number[] = [];
    const positions: number[] = [];
    const fake: PositionalReader = {
      read: async (_buf, _offset, length, position) => {
        lengths.push(length);
        positions.push(position);
        return { bytesRead: length };
      },
    };
    const into = new Uint8Array(3_000_000_000); // never touched: no memory is committed
    await readFully(fake, into, 100, { file: 'f' });
    expect(Math.max(...lengths)).toBe(MAX_READ_BYTES);
    expect(MAX_READ_BYTES).toBeLessThan(2 ** 31);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(3_000_000_000);
    expect(positions).toEqual([100, 100 + 2 ** 30, 100 + 2 ** 31]);
  });
  it('a read that returns nothing is a truncation error naming file and tensor', async () => {
    const empty: PositionalReader = { read: async () => ({ bytesRead: 0 }) };
    await expect(
      readFully(empty, new Uint8Array(4), 0, { file: 'w.safetensors', tensor: 'wte' }),
    ).rejects.toThrow(/^w\.safetensors, tensor 'wte': file ended early/);
  });
});

describe('safetensors files', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes atomically and reads back; a truncated file is a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-'));
    dirs.push(dir);
    const path = join(dir, 'w.safetensors');
    const tensors = new Map([
      ['b', f32([3], [1, 2, 3])],
      ['a', f32([1], [4])],
    ]);
    await writeSafetensorsFile(path, tensors, { format: 'pt' });
    expect(await readdir(dir)).toEqual(['w.safetensors']);
    const back = await readSafetensorsFile(path);
    expect([...back.tensors.keys()]).toEqual(['a', 'b']);
    expect(back.tensors.get('b')).toEqual(tensors.get('b'));
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    await writeFile(path, bytes.subarray(0, bytes.byteLength - 2));
    await expect(readSafetensorsFile(path)).rejects.toThrow(
      /w\.safetensors, tensor 'b': data_offsets .* run past/,
    );
    await expect(readSafetensorsFile(join(dir, 'nope.safetensors'))).rejects.toThrow(
      /cannot open \(ENOENT\)/,
    );
  });

  it('opens a file reading only its header; check refuses before any tensor is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-'));
    dirs.push(dir);
    const path = join(dir, 'w.safetensors');
    await writeSafetensorsFile(
      path,
      new Map([
        ['a', f32([2], [1, 2])],
        ['b', f32([1], [3])],
      ]),
    );
    const file = await openSafetensorsFile(path);
    try {
      expect(file.entries.map((e) => [e.name, e.dtype, e.shape, e.begin, e.end])).toEqual([
        ['a', 'F32', [2], 0, 8],
        ['b', 'F32', [1], 8, 12],
      ]);
      expect(await file.read(file.entries[1]!)).toEqual(f32([1], [3]));
    } finally {
      await file.close();
    }
    const seen: string[] = [];
    await expect(
      readSafetensorsFile(path, {
        check: (entries) => {
          seen.push(...entries.map((e) => e.name));
          throw new CheckpointError('unexpected tensors', { file: path });
        },
      }),
    ).rejects.toThrow(/unexpected tensors/);
    expect(seen).toEqual(['a', 'b']);
    await expect(readSafetensorsFile(path, { chek: () => {} } as never)).rejects.toThrow(
      /unknown option 'chek'/,
    );
    await expect(readSafetensorsFile(dir)).rejects.toThrow(/st-\w+: is a folder, not a safetensors file/);
  });
});
