import { BYTE_TO_CHAR, type Tokenizer } from '@spinettai/tokenizer';
import { loadTokenizer } from '@spinettai/tokenizer/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TinyCheckpoint, tinyCheckpoint } from './test-utils/fixture.js';
import { textPieces } from './textStream.js';
import type { FinishReason } from './tokenLoop.js';

let ckpt: TinyCheckpoint;
let tokenizer: Tokenizer;

beforeAll(async () => {
  ckpt = await tinyCheckpoint();
  tokenizer = await loadTokenizer(ckpt.dir);
});

afterAll(async () => {
  await ckpt.cleanup();
});

/** One byte-level token per UTF-8 byte, so every multi-byte character is split across tokens. */
function byteIds(text: string): number[] {
  return Array.from(new TextEncoder().encode(text), (b) => {
    const id = tokenizer.tokenToId(BYTE_TO_CHAR[b]!);
    if (id === undefined) throw new Error(`no byte token for ${b}`);
    return id;
  });
}

async function* fromIds(
  ids: number[],
  end: FinishReason = 'length',
): AsyncGenerator<number, FinishReason, undefined> {
  for (const id of ids) yield id;
  return end;
}

async function collect(ids: number[], stop: string[]) {
  const it = textPieces(fromIds(ids), tokenizer, stop, 1);
  const pieces: string[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return { pieces, result: r.value };
    pieces.push(r.value);
  }
}

describe('textPieces', () => {
  const text = 'ñandú, corazón 🎵 ñu';

  it('never emits half a UTF-8 character and adds up to the decoded text', async () => {
    const ids = byteIds(text);
    expect(ids.length).toBeGreaterThan(text.length); // characters really are split
    const { pieces, result } = await collect(ids, []);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(p).not.toContain('\uFFFD');
    expect(result).toEqual({ text, tokenIds: ids, promptTokens: 1, finishReason: 'length' });
  });

  it('cuts before a stop string made of split multi-byte characters', async () => {
    const { pieces, result } = await collect(byteIds(text), ['ón 🎵']);
    expect(result.text).toBe('ñandú, coraz');
    expect(pieces.join('')).toBe('ñandú, coraz');
    expect(result.finishReason).toBe('stop');
  });

  it('releases held-back text that never completed a stop string', async () => {
    const { result } = await collect(byteIds('abc ñ'), [' ñu']);
    expect(result).toMatchObject({ text: 'abc ñ', finishReason: 'length' });
  });
});
