// GPT-2 byte-level BPE training (Sennrich et al. 2016, "Neural Machine
// Translation of Rare Words with Subword Units"; byte-level variant: Radford et
// al. 2019, GPT-2).
//
// 1. Count pre-token frequencies once (wordCounts.ts). Each unique word becomes
//    a sequence of byte token ids. Pre-tokens longer than MAX_WORD_CHARS (a line
//    with no spaces) are cut into pieces of that length, which bounds the work
//    of each merge; a merged token is then never longer than that.
// 2. Count every adjacent pair over the unique words (weighted by frequency) and
//    remember which words contain it; push each pair into a priority queue.
// 3. Repeatedly pop the best pair, give the concatenation a new id, rewrite only
//    the words that contain the pair, and apply the resulting pair-count changes
//    incrementally (−count for pairs that disappeared, +count for new pairs; new
//    pairs are pushed with the words they occur in). Stale queue entries are
//    re-checked against the live count when popped.
//
// The bookkeeping mirrors Hugging Face's BpeTrainer (tokenizers
// src/models/bpe/trainer.rs) step for step, so with the same words it learns the
// same merges in the same order: ids are specials, then the 256 byte characters
// by code point, then merges; ties go to the smallest (left id, right id); a merge
// whose string already exists reuses that id (so merges can outnumber new tokens).

import { BYTE_TO_CHAR, BYTES_IN_ALPHABET_ORDER } from './byteLevel.js';
import { BpeConfigError, CorpusError } from './errors.js';
import { rejectUnknownKeys } from './options.js';
import { PairQueue } from './pairQueue.js';
import { type ProgressCallback, throttledProgress } from './progress.js';
import { countWords, type TextSource } from './wordCounts.js';

/** Special tokens used when none are given: ids 0 and 1. */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['<|endoftext|>', '<|pad|>'];

/** Options of {@link trainBpe}. */
export interface TrainBpeOptions {
  /** Final vocabulary size, counting special tokens and the 256 byte tokens. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged; training stops there. Default 2. */
  minFrequency?: number | undefined;
  /** Special tokens, given ids 0, 1, … in this order. Default `['<|endoftext|>', '<|pad|>']`. */
  specialTokens?: readonly string[] | undefined;
  /** Progress of counting words ('count', per text) and of learning merges ('merge'). */
  onProgress?: ProgressCallback | undefined;
}

/** A trained byte-level BPE model. */
export interface BpeModel {
  /** Token of each id: special tokens as written, then byte-level strings. */
  readonly vocab: readonly string[];
  /** Merges in the order learned, as pairs of byte-level token strings. */
  readonly merges: readonly (readonly [string, string])[];
  /** The special tokens (ids 0 … n-1). */
  readonly specialTokens: readonly string[];
}

function checkOptions(options: TrainBpeOptions): {
  vocabSize: number;
  minFrequency: number;
  specials: string[];
} {
  rejectUnknownKeys('trainBpe', options, ['vocabSize', 'minFrequency', 'specialTokens', 'onProgress']);
  const specials = [...(options.specialTokens ?? DEFAULT_SPECIAL_TOKENS)];
  const alphabet = new Set(BYTE_TO_CHAR);
  const seen = new Set<string>();
  for (const s of specials) {
    if (typeof s !== 'string' || s.length === 0) {
      throw new BpeConfigError(
        'specialTokens',
        'specialTokens: every special token must be a non-empty string.',
      );
    }
    if (seen.has(s)) throw new BpeConfigError('specialTokens', `specialTokens: "${s}" is listed twice.`);
    if (alphabet.has(s)) {
      throw new BpeConfigError(
        'specialTokens',
        `specialTokens: "${s}" is a byte token already; pick a longer string.`,
      );
    }
    seen.add(s);
  }
  const minimum = specials.length + 256;
  const { vocabSize } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < minimum || vocabSize > 2 ** 24) {
    throw new BpeConfigError(
      'vocabSize',
      `vocabSize is ${vocabSize}, but it must be an integer from ${minimum} (256 byte tokens + ${specials.length} special tokens) to ${2 ** 24}. E.g. vocabSize: 8192.`,
    );
  }
  const minFrequency = options.minFrequency ?? 2;
  if (!Number.isInteger(minFrequency) || minFrequency < 0) {
    throw new BpeConfigError('minFrequency', `minFrequency is ${minFrequency}; it must be an integer >= 0.`);
  }
  return { vocabSize, minFrequency, specials };
}

/**
 * Trains a GPT-2 byte-level BPE tokenizer on texts (song lyrics).
 * Deterministic: the same texts and options always give the same model.
 * @throws BpeConfigError on bad options, CorpusError when there is no text.
 */
export async function trainBpe(texts: TextSource, options: TrainBpeOptions): Promise<BpeModel> {
  const { vocabSize, minFrequency, specials } = checkOptions(options);
  const wordCounts = await countWords(texts, options.onProgress);
  if (wordCounts.size === 0) {
    throw new CorpusError('empty', 'trainBpe: the corpus has no text to train on; add songs with lyrics.');
  }

  const vocab: string[] = [...specials];
  const byteToId = new Int32Array(256);
  for (const b of BYTES_IN_ALPHABET_ORDER) {
    byteToId[b] = vocab.length;
    vocab.push(BYTE_TO_CHAR[b] as string);
  }
  const tokenToId = new Map(vocab.map((t, id) => [t, id]));

  // Unique words as byte-id sequences; symbols are rewritten in place as merges apply.
  const encoder = new TextEncoder();
  const symbols: Int32Array[] = [];
  const lengths: number[] = [];
  const freqs: number[] = [];
  for (const [word, freq] of wordCounts) {
    const bytes = encoder.encode(word);
    const syms = new Int32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) syms[i] = byteToId[bytes[i] as number] as number;
    symbols.push(syms);
    lengths.push(syms.length);
    freqs.push(freq);
  }
  wordCounts.clear();

  // A pair (left, right) is the number left * V + right: ordered like (left, right).
  const V = vocabSize;
  const pairCounts = new Map<number, number>();
  const queue = new PairQueue();
  const pushAll = (where: Map<number, number[]>): void => {
    for (const [key, words] of where) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) queue.push({ count, key, words });
    }
  };
  const initial = new Map<number, number[]>();
  for (let w = 0; w < symbols.length; w++) {
    const syms = symbols[w] as Int32Array;
    const freq = freqs[w] as number;
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = (syms[i] as number) * V + (syms[i + 1] as number);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + freq);
      const list = initial.get(key);
      if (list === undefined) initial.set(key, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  }
  pushAll(initial);
  initial.clear();

  const merges: [string, string][] = [];
  const progress = throttledProgress('merge', vocabSize - vocab.length, options.onProgress);
  const firstNew = vocab.length;
  while (vocab.length < vocabSize) {
    progress(vocab.length - firstNew);
    const top = queue.pop();
    if (top === undefined) break;
    const live = pairCounts.get(top.key) ?? 0;
    if (top.count !== live) {
      top.count = live;
      queue.push(top);
      continue;
    }
    if (top.count < 1 || minFrequency > top.count) break;

    const a = Math.floor(top.key / V);
    const b = top.key - a * V;
    const merged = (vocab[a] as string) + (vocab[b] as string);
    let c = tokenToId.get(merged);
    if (c === undefined) {
      c = vocab.length;
      vocab.push(merged);
      tokenToId.set(merged, c);
    }
    merges.push([vocab[a] as string, vocab[b] as string]);

    // Rewrite each word left to right, merging non-overlapping (a, b) into c.
    const updated = new Map<number, number[]>();
    const add = (key: number, delta: number, w: number): void => {
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
      if (delta > 0) {
        const list = updated.get(key);
        if (list === undefined) updated.set(key, [w]);
        else if (list[list.length - 1] !== w) list.push(w);
      }
    };
    for (const w of top.words) {
      const syms = symbols[w] as Int32Array;
      const n = lengths[w] as number;
      const freq = freqs[w] as number;
      let j = 0;
      for (let i = 0; i < n; ) {
        const s = syms[i] as number;
        if (s === a && i + 1 < n && syms[i + 1] === b) {
          if (j > 0) {
            const prev = syms[j - 1] as number;
            add(prev * V + a, -freq, w);
            add(prev * V + c, freq, w);
          }
          if (i + 2 < n) {
            const next = syms[i + 2] as number;
            add(b * V + next, -freq, w);
            add(c * V + next, freq, w);
          }
          syms[j++] = c;
          i += 2;
        } else {
          syms[j++] = s;
          i++;
        }
      }
      lengths[w] = j;
    }
    pushAll(updated);
  }
  progress(vocabSize - firstNew);
  return { vocab, merges, specialTokens: specials };
}
