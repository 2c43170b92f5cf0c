// The token-level guard against the text-level one: for random token sequences over a
// byte-level tokenizer (accents split across tokens, special tokens in the history),
// checking a candidate through guardTokens must agree with CopyGuard.allows on the whole
// decoded text, for every sequence the guard let through so far.

import { SeededRandom } from '@spinettai/graph';
import { Tokenizer, tokenizerJsonText, trainBpe } from '@spinettai/tokenizer';
import { describe, expect, it } from 'vitest';
import { CopyGuard, LyricsIndex } from './copyGuard.js';
import { guardTokens } from './guardTokens.js';

const LYRICS = [
  'Camino por la calle vacía\nbuscando tu voz en el viento',
  'la canción de la montaña\nsé que vendrás mañana',
];

describe('guardTokens', () => {
  it('agrees with CopyGuard.allows on the decoded text, through split UTF-8 characters and special tokens', async () => {
    const model = await trainBpe(LYRICS, { vocabSize: 280 });
    const tokenizer = Tokenizer.fromStrings(tokenizerJsonText(model));
    const guard = new CopyGuard(LyricsIndex.fromTexts(LYRICS), 3);
    const allows = guardTokens(guard, tokenizer);
    const text = (ids: number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
    // Candidates: the tokens of the lyrics themselves, so long copied runs are likely.
    const pool = [...new Set(LYRICS.flatMap((l) => tokenizer.encode(l)))];
    const r = new SeededRandom(5);
    let refused = 0;
    const encoded = LYRICS.map((l) => tokenizer.encode(l));
    for (let k = 0; k < 200; k++) {
      const history = [tokenizer.eotTokenId];
      const lyric = encoded[r.nextInt(encoded.length)]!;
      let pos = r.nextInt(lyric.length);
      for (let i = 0; i < 30; i++) {
        // Mostly the lyric's next token (a copied run in the making), sometimes any token.
        const id = r.nextInt(5) === 0 ? pool[r.nextInt(pool.length)]! : lyric[pos++ % lyric.length]!;
        const expected = guard.allows(text([...history, id]).replace(/\uFFFD+$/u, ''));
        expect(allows(history, id), JSON.stringify(text([...history, id]))).toBe(expected);
        if (!expected) {
          refused++;
          continue;
        }
        history.push(id);
      }
    }
    expect(refused).toBeGreaterThan(10);
  });
});
