// GPT-2's byte-to-unicode alphabet: every byte 0..255 gets one printable
// character, so a byte-level token is an ordinary string and tokenizer.json
// stays readable. Printable Latin-1 bytes map to themselves; the other 68 bytes
// (controls, space, 0x7F-0xA0, 0xAD) map to U+0100 + n in byte order.
// Reference: openai/gpt-2 encoder.py `bytes_to_unicode`; HF tokenizers
// pre_tokenizers/byte_level.rs.

const isPrintable = (b: number): boolean =>
  (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);

/** BYTE_TO_CHAR[b] is the byte-level character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const table: string[] = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(isPrintable(b) ? b : 256 + n++);
  }
  return table;
})();

/** Inverse of BYTE_TO_CHAR, keyed by the character's code unit. */
const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

/**
 * The 256 bytes ordered by the code point of their byte-level character. This is
 * the order in which Hugging Face's BpeTrainer numbers its initial alphabet (it
 * sorts characters by code point) and also GPT-2's own vocab.json order.
 */
export const BYTES_IN_ALPHABET_ORDER: readonly number[] = Array.from({ length: 256 }, (_, b) => b).sort(
  (x, y) => (BYTE_TO_CHAR[x] as string).charCodeAt(0) - (BYTE_TO_CHAR[y] as string).charCodeAt(0),
);

/** Maps bytes to their byte-level string, e.g. UTF-8 of " ñ" → "ĠÃ±". */
export function bytesToByteLevel(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

/** Maps a byte-level string back to bytes; undefined if a character is not in the alphabet. */
export function byteLevelToBytes(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token.charCodeAt(i));
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}
