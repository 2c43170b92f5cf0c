// A minimal protobuf writer: just the wire types ModelProto needs (varint, 64-bit
// varint, fixed32 float, length-delimited bytes / strings / sub-messages, packed
// repeated int64 and float). Large byte payloads (tensor raw_data) are referenced, not
// copied, until `finish()` concatenates everything once. Wire format reference:
// https://protobuf.dev/programming-guides/encoding/

const textEncoder = new TextEncoder();

/** Wire types used here. */
const VARINT = 0;
const LEN = 2;
const I32 = 5;

/** Payloads at least this long are kept by reference instead of copied into the scratch buffer. */
const BY_REFERENCE = 256;

/** Builds one protobuf message; nested messages are built with their own writer and embedded. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private partsLength = 0;
  private buf = new Uint8Array(64);
  private pos = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.partsLength + this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.parts.push(this.buf.subarray(0, this.pos));
    this.partsLength += this.pos;
    this.buf = new Uint8Array(64);
    this.pos = 0;
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length >= BY_REFERENCE) {
      this.flush();
      this.parts.push(bytes);
      this.partsLength += bytes.length;
      return;
    }
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** An unsigned varint; negative or unsafe numbers go through the 64-bit path. */
  private varint(n: number): void {
    if (n < 0 || n > 0xffffffff || !Number.isInteger(n)) {
      this.varint64(BigInt.asUintN(64, BigInt(n)));
      return;
    }
    this.reserve(5);
    let v = n >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  private varint64(v: bigint): void {
    this.reserve(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int64 / int32 / enum field (negative values as ten-byte two's complement, as protobuf does). */
  int(field: number, value: number): this {
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  /** float field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, I32);
    this.reserve(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  /** bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LEN);
    this.varint(value.length);
    this.append(value);
    return this;
  }

  /** string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Embedded message field. */
  message(field: number, sub: ProtoWriter): this {
    this.tag(field, LEN);
    this.varint(sub.length);
    sub.flush();
    for (const p of sub.parts) this.append(p);
    return this;
  }

  /** Packed repeated int64 field; nothing is written for an empty list. */
  packedInts(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const sub = new ProtoWriter();
    for (const v of values) sub.varint(v);
    return this.message(field, sub);
  }

  /** Packed repeated float field; nothing is written for an empty list. */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.bytes(field, data);
  }

  /** The message's bytes, in one array. */
  finish(): Uint8Array {
    this.flush();
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Uint8Array(this.partsLength);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
