import { beforeAll, describe, expect, it } from 'vitest';
import { BYTE_TO_CHAR } from './byteLevel.js';
import { mulberry32 } from './split.js';
import { type Fixture, smallTokenizer } from './test-utils/fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await smallTokenizer();
});

const streamAll = (ids: number[], skip = false): string[] => {
  const s = fx.tokenizer.decodeStream({ skipSpecialTokens: skip });
  const chunks = ids.map((id) => s.push(id));
  chunks.push(s.flush());
  return chunks;
};

/** The id of the single-byte token for byte b. */
const byteId = (b: number): number => fx.tokenizer.tokenToId(BYTE_TO_CHAR[b] as string) as number;

describe('decodeStream', () => {
  it('never emits half a character when a multi-byte character is split across byte tokens', () => {
    // "ñ🎸é" = C3 B1 | F0 9F 8E B8 | C3 A9, fed one byte token at a time.
    const ids = [...new TextEncoder().encode('ñ🎸é')].map(byteId);
    expect(streamAll(ids)).toEqual(['', 'ñ', '', '', '', '🎸', '', 'é', '']);
  });

  it('splits a character across merged tokens too (token ends mid-character)', () => {
    // A merged token "Ġ" + first byte of "ñ" followed by the continuation byte.
    const s = fx.tokenizer.decodeStream();
    expect(s.push(byteId(0x20))).toBe(' ');
    expect(s.push(byteId(0xc3))).toBe('');
    expect(s.push(byteId(0xb1))).toBe('ñ');
    expect(s.flush()).toBe('');
  });

  it('concatenated chunks equal decode(ids), for valid and invalid byte sequences', () => {
    for (const t of ['Mañana 🎸 será otro día, niño.', 'e\u0301 👨‍👩‍👧 \r\n\t\u0000 fin']) {
      const chunks = streamAll(fx.tokenizer.encode(t));
      expect(chunks.join('')).toBe(t);
      for (const c of chunks) expect(c).not.toContain('\ufffd');
    }
    const rand = mulberry32(5);
    for (let i = 0; i < 300; i++) {
      const ids = Array.from({ length: 1 + Math.floor(rand() * 12) }, () =>
        Math.floor(rand() * fx.tokenizer.vocabSize),
      );
      expect(streamAll(ids).join('')).toBe(fx.tokenizer.decode(ids));
      expect(streamAll(ids, true).join('')).toBe(fx.tokenizer.decode(ids, { skipSpecialTokens: true }));
    }
  });

  it('holds an incomplete character until flush, which emits U+FFFD; a special token also ends it', () => {
    const s = fx.tokenizer.decodeStream();
    expect(s.push(byteId(0xc3))).toBe('');
    expect(s.flush()).toBe('\ufffd');
    const t = fx.tokenizer.decodeStream();
    expect(t.push(byteId(0xf0))).toBe('');
    expect(t.push(0)).toBe('\ufffd<|endoftext|>');
    expect(() => t.push(fx.tokenizer.vocabSize)).toThrow(/not in \[0, /);
  });
});
