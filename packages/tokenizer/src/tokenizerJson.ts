// tokenizer.json and tokenizer_config.json for a trained byte-level BPE, laid
// out byte for byte as Hugging Face writes a GPT-2-style tokenizer:
//   tokenizers: Tokenizer(BPE()) with pre_tokenizer ByteLevel(add_prefix_space=False),
//   decoder ByteLevel(), post_processor ByteLevel(trim_offsets=True), a
//   BpeTrainer(special_tokens=…, initial_alphabet=ByteLevel.alphabet()), then
//   tokenizer.save(path) (serde pretty JSON, no trailing newline);
//   transformers: GPT2TokenizerFast.save_pretrained → tokenizer_config.json
//   (json.dumps(indent=2, sort_keys=True, ensure_ascii=False) + "\n").
// So the folder loads in Python `tokenizers`/`transformers`, the Rust crate,
// transformers.js and @huggingface/tokenizers alike.

import type { BpeModel } from './bpeTrainer.js';
import { type OrderedJson, obj, prettyJson } from './prettyJson.js';

/** File names inside a tokenizer folder. */
export const TOKENIZER_JSON = 'tokenizer.json';
export const TOKENIZER_CONFIG_JSON = 'tokenizer_config.json';

/** Options for the written files. */
export interface TokenizerFilesOptions {
  /** `model_max_length` in tokenizer_config.json (the model's context length). Default 1024. */
  modelMaxLength?: number;
}

/** One entry of tokenizer.json `added_tokens`. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The parts of tokenizer.json that we read back (field names as on disk). */
export interface TokenizerJsonFile {
  version: string;
  added_tokens: AddedTokenJson[];
  normalizer: unknown;
  pre_tokenizer: { type: string; add_prefix_space?: boolean; use_regex?: boolean } | null;
  post_processor: unknown;
  decoder: { type: string } | null;
  model: {
    type: string;
    dropout?: number | null;
    continuing_subword_prefix?: string | null;
    end_of_word_suffix?: string | null;
    ignore_merges?: boolean;
    vocab: Record<string, number>;
    merges: [string, string][] | string[];
  };
}

const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean): OrderedJson =>
  obj([
    ['type', 'ByteLevel'],
    ['add_prefix_space', addPrefixSpace],
    ['trim_offsets', trimOffsets],
    ['use_regex', true],
  ]);

export const addedToken = (id: number, content: string): OrderedJson =>
  obj([
    ['id', id],
    ['content', content],
    ['single_word', false],
    ['lstrip', false],
    ['rstrip', false],
    ['normalized', false],
    ['special', true],
  ]);

/** The text of tokenizer.json for a trained model. */
export function tokenizerJsonText(model: BpeModel): string {
  return prettyJson(
    obj([
      ['version', '1.0'],
      ['truncation', null],
      ['padding', null],
      ['added_tokens', model.specialTokens.map((t, id) => addedToken(id, t))],
      ['normalizer', null],
      ['pre_tokenizer', byteLevel(false, true)],
      ['post_processor', byteLevel(true, true)],
      ['decoder', byteLevel(true, true)],
      [
        'model',
        obj([
          ['type', 'BPE'],
          ['dropout', null],
          ['unk_token', null],
          ['continuing_subword_prefix', null],
          ['end_of_word_suffix', null],
          ['fuse_unk', false],
          ['byte_fallback', false],
          ['ignore_merges', false],
          ['vocab', new Map(model.vocab.map((t, id) => [t, id]))],
          ['merges', model.merges.map(([a, b]) => [a, b])],
        ]),
      ],
    ]),
  );
}

/** Sorted-keys object, as Python's json.dumps(sort_keys=True) orders it. */
const sorted = (entries: [string, OrderedJson][]): OrderedJson =>
  new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The text of tokenizer_config.json. The first special token is BOS, EOS and
 * unknown token; the second (if any) is the padding token.
 */
export function tokenizerConfigText(model: BpeModel, options: TokenizerFilesOptions = {}): string {
  const [eot = '', pad = eot] = model.specialTokens;
  const decoder = model.specialTokens.map((content, id): [string, OrderedJson] => [
    String(id),
    sorted([
      ['content', content],
      ['lstrip', false],
      ['normalized', false],
      ['rstrip', false],
      ['single_word', false],
      ['special', true],
    ]),
  ]);
  const config = sorted([
    ['add_prefix_space', false],
    ['added_tokens_decoder', sorted(decoder)],
    ['bos_token', eot],
    ['clean_up_tokenization_spaces', false],
    ['eos_token', eot],
    ['errors', 'replace'],
    ['extra_special_tokens', new Map()],
    ['model_max_length', options.modelMaxLength ?? 1024],
    ['pad_token', pad],
    ['tokenizer_class', 'GPT2Tokenizer'],
    ['unk_token', eot],
  ]);
  return `${prettyJson(config)}\n`;
}
