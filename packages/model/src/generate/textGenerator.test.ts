import { serializeModel } from '@spinettai/graph';
import type { Tokenizer } from '@spinettai/tokenizer';
import { loadTokenizer } from '@spinettai/tokenizer/node';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGptGraph } from '../gpt.js';
import { LyricsIndex } from '../lyrics/copyGuard.js';
import { GenerationError, InvalidOptionError } from './errors.js';
import { loadTextGenerator, textGeneratorFromParams } from './loadTextGenerator.js';
import { DEFAULT_SAMPLING } from './options.js';
import { type TinyCheckpoint, tinyCheckpoint } from './test-utils/fixture.js';
import type { TextGenerator } from './textGenerator.js';

let ckpt: TinyCheckpoint;
let gen: TextGenerator;
let tokenizer: Tokenizer;

beforeAll(async () => {
  ckpt = await tinyCheckpoint();
  gen = await loadTextGenerator(ckpt.dir, { threads: 1 });
  tokenizer = await loadTokenizer(ckpt.dir);
});

afterAll(async () => {
  await gen.release();
  await ckpt.cleanup();
});

/** Greedy ids computed without any cache: the full-sequence graph on the current window every step. */
async function referenceGreedy(prompt: number[], n: number): Promise<number[]> {
  const { config } = ckpt;
  const session = await InferenceSession.create(
    serializeModel(buildGptGraph(config, { params: ckpt.params }).graph),
  );
  try {
    const all = prompt.slice(-config.blockSize);
    let start = 0; // window start in `all`
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      if (all.length - start > config.blockSize) start = all.length - Math.ceil(config.blockSize / 2);
      const window = all.slice(start);
      const r = await session.run({
        input_ids: new Tensor('int64', BigInt64Array.from(window, BigInt), [1, window.length]),
      });
      const logits = r['logits']!.data as Float32Array;
      const row = logits.subarray((window.length - 1) * config.vocabSize);
      let best = 0;
      for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
      out.push(best);
      all.push(best);
    }
    return out;
  } finally {
    await session.release();
  }
}

describe('TextGenerator (token level)', () => {
  it('greedy ids equal a cache-free reference, through prompt cropping and several context slides', async () => {
    const { blockSize } = ckpt.config;
    const prompt = Array.from({ length: blockSize + 9 }, (_, i) => (i * 37 + 5) % ckpt.config.vocabSize);
    const n = 2 * blockSize + 5; // the cache fills and slides more than once
    const greedy = { temperature: 0, repetitionPenalty: 1, maxNewTokens: n, stopTokenIds: [] };
    const got = await gen.generateIds(prompt, greedy);
    expect(got.finishReason).toBe('length');
    expect(got.ids).toEqual(await referenceGreedy(prompt, n));
  });

  it('kvCache: false gives the same greedy ids before the context fills', async () => {
    const prompt = [0, 5, 9, 14];
    const opts = { temperature: 0, maxNewTokens: 20, stopTokenIds: [] };
    const a = await gen.generateIds(prompt, opts);
    const b = await gen.generateIds(prompt, { ...opts, kvCache: false });
    expect(b.ids).toEqual(a.ids);
  });

  it('greedy is deterministic; a seed makes sampling reproducible', async () => {
    const prompt = [0, 40, 41];
    const greedy = { temperature: 0, maxNewTokens: 24, stopTokenIds: [] };
    expect((await gen.generateIds(prompt, greedy)).ids).toEqual((await gen.generateIds(prompt, greedy)).ids);
    const sample = (seed: number) =>
      gen.generateIds(prompt, {
        temperature: 1.2,
        topK: 50,
        topP: 0.95,
        repetitionPenalty: 1.1,
        seed,
        maxNewTokens: 24,
        stopTokenIds: [],
      });
    const a = await sample(7);
    expect((await sample(7)).ids).toEqual(a.ids);
    expect((await sample(8)).ids).not.toEqual(a.ids);
  });

  it('stops at a stop token id without emitting it', async () => {
    const free = await gen.generateIds([0, 3], { temperature: 0, maxNewTokens: 12, stopTokenIds: [] });
    const stopId = free.ids[5]!;
    const first = free.ids.indexOf(stopId);
    const r = await gen.generateIds([0, 3], { temperature: 0, maxNewTokens: 12, stopTokenIds: [stopId] });
    expect(r).toEqual({ ids: free.ids.slice(0, first), finishReason: 'eos' });
  });

  it('maxNewTokens 0 produces nothing; invalid options are typed errors before any work', async () => {
    expect(await gen.generateIds([0], { maxNewTokens: 0 })).toEqual({ ids: [], finishReason: 'length' });
    expect(() => gen.streamIds([0], { topP: 0 })).toThrow(InvalidOptionError);
    expect(() => gen.streamIds([0], { temperature: -1 })).toThrow(/temperature/);
    expect(() => gen.streamIds([0], { topK: -2 })).toThrow(/topK/);
    expect(() => gen.streamIds([0], { maxNewTokens: -1 })).toThrow(/maxNewTokens/);
    expect(() => gen.streamIds([], {})).toThrow(GenerationError);
    expect(() => gen.streamIds([ckpt.config.vocabSize], {})).toThrow(/vocabulary/);
    await expect(gen.generate('hi', { topP: 1.5 })).rejects.toThrow(InvalidOptionError);
    // The generator is still usable afterwards.
    expect((await gen.generateIds([0], { maxNewTokens: 2, stopTokenIds: [] })).ids).toHaveLength(2);
  });

  it('checks the lyrics options: counts, the guard window, artists of a model without any', () => {
    expect(() => gen.streamIds([0], { noRepeatNgram: -1 })).toThrow(/'noRepeatNgram'/);
    expect(() => gen.streamIds([0], { minNewTokens: 1.5 })).toThrow(/'minNewTokens'/);
    const index = LyricsIndex.fromTexts(['la noche se va']);
    expect(() => gen.stream('', { maxCopyWords: 1, lyricsIndex: index })).toThrow(/'maxCopyWords'.*≥ 2/);
    expect(() => gen.stream('', { maxCopyWords: 4 })).toThrow(/'maxCopyWords'.*lyricsIndex/);
    expect(gen.artists).toEqual([]);
    expect(() => gen.stream('', { artist: 'Ana' })).toThrow(/knows no artists.*--condition artist/);
  });

  it('rejects option keys it does not know, naming the key and the near spelling', async () => {
    const bad = { max_new_tokens: 3 } as unknown as { maxNewTokens: number };
    expect(() => gen.streamIds([0], bad)).toThrow(InvalidOptionError);
    expect(() => gen.streamIds([0], bad)).toThrow(/'max_new_tokens'.*did you mean 'maxNewTokens'/);
    await expect(gen.generate('hi', bad)).rejects.toThrow(/'max_new_tokens'/);
    await expect(gen.generate('hi', { stpo: ['x'] } as never)).rejects.toThrow(
      /'stpo'.*known options: temperature/,
    );
    await expect(loadTextGenerator(ckpt.dir, { thread: 1 } as never)).rejects.toThrow(/'thread'/);
    // Options forwarded as undefined are the defaults.
    expect(
      (await gen.generateIds([0], { maxNewTokens: 2, stopTokenIds: [], seed: undefined })).ids,
    ).toHaveLength(2);
  });

  it('uses DEFAULT_SAMPLING when an option is not given', async () => {
    const prompt = [0, 40, 41];
    const explicit = await gen.generateIds(prompt, {
      ...DEFAULT_SAMPLING,
      seed: 3,
      maxNewTokens: 20,
      stopTokenIds: [],
    });
    const defaults = await gen.generateIds(prompt, { seed: 3, maxNewTokens: 20, stopTokenIds: [] });
    expect(defaults.ids).toEqual(explicit.ids);
    const neutral = await gen.generateIds(prompt, {
      temperature: 1,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
      seed: 3,
      maxNewTokens: 20,
      stopTokenIds: [],
    });
    expect(neutral.ids).not.toEqual(defaults.ids);
    expect(await gen.generate('oh', { stopAtEos: false, seed: 1 })).toMatchObject({
      finishReason: 'length',
      tokenIds: expect.objectContaining({ length: DEFAULT_SAMPLING.maxNewTokens }),
    });
  });

  it('refuses a second generation while one is streaming', async () => {
    const it1 = gen.streamIds([0, 1], { maxNewTokens: 5, stopTokenIds: [] });
    await it1.next();
    await expect(gen.generateIds([0], { maxNewTokens: 1 })).rejects.toThrow(/already running/);
    await it1.return('aborted');
    expect((await gen.generateIds([0], { maxNewTokens: 1, stopTokenIds: [] })).ids).toHaveLength(1);
  });
});

describe('TextGenerator (text)', () => {
  const greedy = { temperature: 0, maxNewTokens: 40, stopAtEos: false };

  it('generate returns the decoded continuation; streaming pieces add up to it', async () => {
    const r = await gen.generate('la noche', greedy);
    expect(r.finishReason).toBe('length');
    expect(r.tokenIds).toHaveLength(40);
    expect(r.promptTokens).toBe(1 + tokenizer.encode('la noche').length);
    expect(r.text).toBe(tokenizer.decode(r.tokenIds, { skipSpecialTokens: true }));
    const pieces: string[] = [];
    for await (const p of gen.stream('la noche', greedy)) pieces.push(p);
    expect(pieces.join('')).toBe(r.text);
    const seen: string[] = [];
    await gen.generate('la noche', { ...greedy, onToken: (p) => seen.push(p) });
    expect(seen).toEqual(pieces);
  });

  it('stops before a stop string that spans token boundaries and never emits it', async () => {
    const full = await gen.generate('baby', greedy);
    // A stop string made of the end of one token's text and the start of a later one.
    const texts = full.tokenIds.map((id) => tokenizer.decode([id]));
    let k = 10;
    while (
      texts[k]!.length === 0 ||
      texts[k + 1]!.length === 0 ||
      texts[k]!.includes('\uFFFD') ||
      texts[k + 1]!.includes('\uFFFD')
    )
      k++;
    const stop = texts[k]!.slice(-2) + texts[k + 1]! + (texts[k + 2] ?? '').slice(0, 1);
    const expected = full.text.slice(0, full.text.indexOf(stop));
    const pieces: string[] = [];
    const r = await gen.generate('baby', {
      ...greedy,
      stop: ['never-there', stop],
      onToken: (p) => pieces.push(p),
    });
    expect(r.finishReason).toBe('stop');
    expect(r.text).toBe(expected);
    expect(pieces.join('')).toBe(expected);
    expect(r.text.includes(stop)).toBe(false);
  });

  it('stops at <|endoftext|> when the model produces it', async () => {
    // Declare as EOS an id the model produces greedily; generation must end right before it.
    const free = await gen.generateIds([0, 7], { temperature: 0, maxNewTokens: 10, stopTokenIds: [] });
    const eosGen = await textGeneratorFromParams(ckpt.config, ckpt.params, {
      eosTokenId: free.ids[3]!,
      tokenizer,
      threads: 1,
    });
    try {
      const r = await eosGen.generateIds([0, 7], { temperature: 0, maxNewTokens: 10 });
      expect(r.finishReason).toBe('eos');
      expect(r.ids).toEqual(free.ids.slice(0, free.ids.indexOf(free.ids[3]!)));
    } finally {
      await eosGen.release();
    }
  });

  it('an AbortSignal ends generation early and keeps the text so far', async () => {
    const ac = new AbortController();
    let pieces = 0;
    const r = await gen.generate('oh', {
      ...greedy,
      maxNewTokens: 30,
      signal: ac.signal,
      onToken: () => {
        if (++pieces === 3) ac.abort();
      },
    });
    expect(r.finishReason).toBe('aborted');
    expect(r.tokenIds.length).toBeLessThan(30);
    const pre = new AbortController();
    pre.abort();
    expect(await gen.generate('oh', { ...greedy, signal: pre.signal })).toMatchObject({
      text: '',
      tokenIds: [],
      finishReason: 'aborted',
    });
  });

  it('an onToken callback that throws ends the generation and frees the TextGenerator', async () => {
    const boom = new Error('boom');
    await expect(
      gen.generate('oh', {
        ...greedy,
        onToken: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect((await gen.generate('oh', { ...greedy, maxNewTokens: 3 })).tokenIds).toHaveLength(3);
  });

  it('awaits an async onToken before the next token', async () => {
    const order: string[] = [];
    await gen.generate('oh', {
      ...greedy,
      maxNewTokens: 4,
      onToken: async (p) => {
        order.push(`start ${p}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${p}`);
      },
    });
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace('start', 'end'));
  });

  it('a prompt longer than the context still generates (cropped to the last blockSize tokens)', async () => {
    const long = 'la noche se va y yo me quedo cantando '.repeat(6);
    expect(tokenizer.encode(long).length).toBeGreaterThan(ckpt.config.blockSize);
    const r = await gen.generate(long, { ...greedy, maxNewTokens: 50 });
    expect(r.tokenIds).toHaveLength(50);
  });

  it('release frees the session: later calls fail with a clear error', async () => {
    const g = await loadTextGenerator(ckpt.dir, { threads: 1 });
    expect((await g.generateIds([0], { maxNewTokens: 1, stopTokenIds: [] })).ids).toHaveLength(1);
    await g.release();
    await g.release();
    expect(() => g.streamIds([0])).not.toThrow(); // lazy: the error comes with the first id
    await expect(g.generateIds([0])).rejects.toThrow(/released/);
    await expect(g.generate('x')).rejects.toThrow(/released/);
  });
});
