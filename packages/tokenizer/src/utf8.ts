// Strict UTF-8 decoding of corpus files: invalid bytes are an error that names
// the file and the byte offset, never silently replaced by U+FFFD (that would
// train the tokenizer on corrupted lyrics). Validity rules: RFC 3629 (no
// overlong forms, no surrogates, nothing above U+10FFFF).

import { CorpusError } from './errors.js';

/** Byte offset where the first invalid UTF-8 sequence starts, or -1 if the bytes are valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  const cont = (i: number, lo = 0x80, hi = 0xbf): boolean =>
    i < n && (bytes[i] as number) >= lo && (bytes[i] as number) <= hi;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (!cont(i + 1, lo, hi) || !cont(i + 2)) return i;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (!cont(i + 1, lo, hi) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else {
      return i;
    }
  }
  return -1;
}

/**
 * Decodes a file's bytes as UTF-8; a leading byte-order mark is dropped.
 * @throws CorpusError (invalid-utf8) with the file and byte offset.
 */
export function decodeUtf8File(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new CorpusError(
      'invalid-utf8',
      `${file}: invalid UTF-8 at byte offset ${offset}. Save the file as UTF-8 (e.g. \`iconv -f latin1 -t utf-8\`).`,
      { file, byteOffset: offset },
    );
  }
}
