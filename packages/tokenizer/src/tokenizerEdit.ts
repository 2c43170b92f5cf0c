// Building and extending tokenizer files of existing tokenizers (browser-safe):
//   - GPT-2's original files, vocab.json + merges.txt (OpenAI's encoder.json +
//     vocab.bpe), converted to the tokenizer.json that transformers'
//     GPT2TokenizerFast writes for them (convert_slow_tokenizer.GPT2Converter);
//   - extra special tokens (e.g. one per artist) appended to a tokenizer.json and
//     tokenizer_config.json, as `tokenizer.add_special_tokens(...)` +
//     `save_pretrained` do: new ids after the largest id, `special: true`.

import { TokenizerFileError } from './errors.js';
import { type OrderedJson, obj, prettyJson } from './prettyJson.js';
import type { AddedTokenJson, TokenizerJsonFile } from './tokenizerJson.js';
import { addedToken } from './tokenizerJson.js';

/** The end-of-text token of GPT-2's vocabulary. */
export const GPT2_EOS_TOKEN = '<|endoftext|>';

const byteLevel = (addPrefixSpace: boolean): OrderedJson =>
  obj([
    ['type', 'ByteLevel'],
    ['add_prefix_space', addPrefixSpace],
    ['trim_offsets', true],
    ['use_regex', true],
  ]);

/**
 * tokenizer.json for GPT-2-style vocab.json + merges.txt. `<|endoftext|>`, when
 * in the vocabulary, becomes the added special token (as in gpt2's tokenizer.json).
 * @throws TokenizerFileError when vocab.json is not a token → id object or a
 * merges.txt line is not two tokens.
 */
export function tokenizerJsonFromVocabMerges(
  vocabText: string,
  mergesText: string,
  files: { vocab: string; merges: string } = { vocab: 'vocab.json', merges: 'merges.txt' },
): string {
  let vocab: unknown;
  try {
    vocab = JSON.parse(vocabText);
  } catch (err) {
    throw new TokenizerFileError(
      files.vocab,
      `${files.vocab} is not valid JSON (${(err as Error).message}).`,
    );
  }
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
    throw new TokenizerFileError(files.vocab, `${files.vocab}: expected an object {"token": id, …}.`);
  }
  const entries = Object.entries(vocab as Record<string, unknown>);
  for (const [token, id] of entries) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw new TokenizerFileError(
        files.vocab,
        `${files.vocab}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, not an integer >= 0.`,
      );
  }
  entries.sort((a, b) => (a[1] as number) - (b[1] as number));
  const merges: [string, string][] = [];
  mergesText.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      throw new TokenizerFileError(
        files.merges,
        `${files.merges}:${i + 1}: expected two tokens separated by one space, got ${JSON.stringify(line)}.`,
      );
    merges.push([parts[0] as string, parts[1] as string]);
  });
  const eos = entries.find(([t]) => t === GPT2_EOS_TOKEN);
  return prettyJson(
    obj([
      ['version', '1.0'],
      ['truncation', null],
      ['padding', null],
      ['added_tokens', eos === undefined ? [] : [addedToken(eos[1] as number, GPT2_EOS_TOKEN)]],
      ['normalizer', null],
      ['pre_tokenizer', byteLevel(false)],
      ['post_processor', byteLevel(true)],
      ['decoder', byteLevel(true)],
      [
        'model',
        obj([
          ['type', 'BPE'],
          ['dropout', null],
          ['unk_token', null],
          ['continuing_subword_prefix', ''],
          ['end_of_word_suffix', ''],
          ['fuse_unk', false],
          ['byte_fallback', false],
          ['ignore_merges', false],
          ['vocab', new Map(entries as [string, number][])],
          ['merges', merges],
        ]),
      ],
    ]),
  );
}

/** tokenizer_config.json for a converted GPT-2 tokenizer (eos/bos/unk = `<|endoftext|>`). */
export function gpt2TokenizerConfigText(modelMaxLength = 1024): string {
  return `${JSON.stringify(
    {
      add_prefix_space: false,
      bos_token: GPT2_EOS_TOKEN,
      clean_up_tokenization_spaces: false,
      eos_token: GPT2_EOS_TOKEN,
      model_max_length: modelMaxLength,
      tokenizer_class: 'GPT2Tokenizer',
      unk_token: GPT2_EOS_TOKEN,
    },
    null,
    2,
  )}\n`;
}

/** Tokenizer files with special tokens added, and the id of each added token. */
export interface ExtendedTokenizerFiles {
  readonly tokenizerJson: string;
  readonly tokenizerConfig: string | undefined;
  /** Token → id, for every requested token (new or already present). */
  readonly ids: ReadonlyMap<string, number>;
}

/**
 * Adds special tokens to tokenizer.json (`added_tokens`, new ids after the
 * largest id) and to tokenizer_config.json (`added_tokens_decoder`, when the
 * file has one, and `additional_special_tokens`). Tokens already present keep
 * their id. With nothing to add, the texts are returned unchanged.
 */
export function addSpecialTokens(
  tokenizerJson: string,
  tokenizerConfig: string | undefined,
  tokens: readonly string[],
): ExtendedTokenizerFiles {
  const json = JSON.parse(tokenizerJson) as TokenizerJsonFile;
  json.added_tokens ??= [];
  const added: AddedTokenJson[] = json.added_tokens;
  const known = new Map<string, number>([
    ...Object.entries(json.model.vocab),
    ...added.map((t) => [t.content, t.id] as [string, number]),
  ]);
  let next = Math.max(-1, ...known.values()) + 1;
  const ids = new Map<string, number>();
  const fresh: AddedTokenJson[] = [];
  for (const content of tokens) {
    const id = known.get(content);
    if (id !== undefined) {
      ids.set(content, id);
      continue;
    }
    const token: AddedTokenJson = {
      id: next++,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    };
    added.push(token);
    fresh.push(token);
    known.set(content, token.id);
    ids.set(content, token.id);
  }
  if (fresh.length === 0) return { tokenizerJson, tokenizerConfig, ids };
  let config: Record<string, unknown> = {};
  if (tokenizerConfig !== undefined) config = (JSON.parse(tokenizerConfig) ?? {}) as Record<string, unknown>;
  const decoder = config.added_tokens_decoder as Record<string, unknown> | undefined;
  if (decoder !== undefined && decoder !== null && typeof decoder === 'object') {
    for (const t of fresh) {
      decoder[String(t.id)] = {
        content: t.content,
        lstrip: false,
        normalized: false,
        rstrip: false,
        single_word: false,
        special: true,
      };
    }
  }
  const extra = Array.isArray(config.additional_special_tokens) ? config.additional_special_tokens : [];
  config.additional_special_tokens = [...extra, ...fresh.map((t) => t.content)];
  return {
    tokenizerJson: JSON.stringify(json, null, 2),
    tokenizerConfig: `${JSON.stringify(config, null, 2)}\n`,
    ids,
  };
}
