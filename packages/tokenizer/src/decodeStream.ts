// Streaming decode for generation: tokens arrive one at a time, and a
// multi-byte UTF-8 character (ñ, é, emoji) is often split across two or more
// byte-level tokens. Bytes are held back until they form whole characters, so a
// chunk never ends in half a character. Invalid sequences become U+FFFD exactly
// as in a one-shot decode (WHATWG UTF-8 decoding, the same maximal-subpart
// rule as Rust's String::from_utf8_lossy), so the concatenated chunks equal
// `tokenizer.decode(ids)`.

/** What one token id stands for: raw bytes, or the text of a special token. */
export type TokenPiece = Uint8Array | { readonly special: string };

/** Incremental decoder returned by `Tokenizer.decodeStream()`. */
export interface StreamDecoder {
  /** Adds one token id; returns the text that is now complete (maybe ""). */
  push(id: number): string;
  /** Ends the stream; returns held-back bytes (an incomplete character becomes U+FFFD). */
  flush(): string;
}

/**
 * Creates a stream decoder over a token table.
 * @param pieceOf returns the bytes or special text of an id (throws on a bad id).
 * @param skipSpecialTokens drop special tokens instead of emitting their text.
 */
export function createStreamDecoder(
  pieceOf: (id: number) => TokenPiece,
  skipSpecialTokens = false,
): StreamDecoder {
  let utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  return {
    push(id: number): string {
      const piece = pieceOf(id);
      if (piece instanceof Uint8Array) return utf8.decode(piece, { stream: true });
      if (skipSpecialTokens) return '';
      // A special token ends the current byte run, like the ByteLevel decoder does.
      const pending = utf8.decode();
      utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      return pending + piece.special;
    },
    flush(): string {
      return utf8.decode();
    },
  };
}
