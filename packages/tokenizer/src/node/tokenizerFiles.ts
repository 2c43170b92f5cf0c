// Tokenizer files on disk (Node only): load a tokenizer folder, write a trained
// tokenizer's files, and read an existing tokenizer to reuse (a folder or a
// tokenizer.json; or GPT-2's older vocab.json + merges.txt, converted).

import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFilesAtomic } from '../atomicWrite.js';
import type { BpeModel } from '../bpeTrainer.js';
import { TokenizerFileError } from '../errors.js';
import { Tokenizer } from '../tokenizer.js';
import { gpt2TokenizerConfigText, tokenizerJsonFromVocabMerges } from '../tokenizerEdit.js';
import {
  TOKENIZER_CONFIG_JSON,
  TOKENIZER_JSON,
  type TokenizerFilesOptions,
  tokenizerConfigText,
  tokenizerJsonText,
} from '../tokenizerJson.js';

/** File names of GPT-2's original tokenizer files. */
export const VOCAB_JSON = 'vocab.json';
export const MERGES_TXT = 'merges.txt';

/**
 * Loads `dir/tokenizer.json` and, when present, `dir/tokenizer_config.json`.
 * @throws TokenizerFileError when the files are missing, invalid or not byte-level BPE.
 * @example
 * const tok = await loadTokenizer('data/lyrics');
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const file = join(dir, TOKENIZER_JSON);
  const config = join(dir, TOKENIZER_CONFIG_JSON);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    throw new TokenizerFileError(file, `Cannot read ${file}. Tokenize a corpus into that folder first.`);
  }
  const configText = await readFile(config, 'utf8').catch(() => undefined);
  return Tokenizer.fromBytes(bytes, configText, { tokenizer: file, config });
}

/** Writes tokenizer.json and tokenizer_config.json into `dir` atomically (both are fully written before either replaces an old file). */
export async function writeTokenizerFiles(
  dir: string,
  model: BpeModel,
  options: TokenizerFilesOptions = {},
): Promise<void> {
  await writeFilesAtomic([
    { path: join(dir, TOKENIZER_JSON), data: tokenizerJsonText(model) },
    { path: join(dir, TOKENIZER_CONFIG_JSON), data: tokenizerConfigText(model, options) },
  ]);
}

/** An existing tokenizer read for reuse: the texts to write, and where they came from. */
export interface TokenizerSource {
  /** tokenizer.json as read (byte for byte), or converted from vocab.json + merges.txt. */
  readonly tokenizerJson: string;
  /** tokenizer_config.json as read, or written for a converted GPT-2 tokenizer; undefined when absent. */
  readonly tokenizerConfig: string | undefined;
  /** Which files were read. */
  readonly kind: 'tokenizer.json' | 'vocab.json+merges.txt';
  /** The file read (tokenizer.json or vocab.json). */
  readonly path: string;
  /** The tokenizer these files load as (checked on reading). */
  readonly tokenizer: Tokenizer;
}

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
const isDir = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

async function readText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new TokenizerFileError(
      path,
      `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new TokenizerFileError(path, `${path} is not valid UTF-8.`);
  }
}

/**
 * Reads an existing tokenizer: a folder holding tokenizer.json (+ tokenizer_config.json)
 * or vocab.json + merges.txt, or the path of a tokenizer.json or vocab.json file.
 * The result is checked by loading it.
 * @throws TokenizerFileError naming the path when nothing usable is there.
 */
export async function readTokenizerSource(path: string): Promise<TokenizerSource> {
  let dir: string;
  let file: string | undefined;
  if (await isDir(path)) {
    dir = path;
    if (await isFile(join(dir, TOKENIZER_JSON))) file = join(dir, TOKENIZER_JSON);
  } else if (await isFile(path)) {
    dir = dirname(path);
    if (basename(path) !== VOCAB_JSON) file = path;
  } else {
    throw new TokenizerFileError(
      path,
      `The tokenizer ${path} does not exist; give a tokenizer folder or its tokenizer.json.`,
    );
  }
  const configPath = join(dir, TOKENIZER_CONFIG_JSON);
  const config = (await isFile(configPath)) ? await readText(configPath) : undefined;
  let source: Omit<TokenizerSource, 'tokenizer'>;
  if (file !== undefined) {
    source = {
      tokenizerJson: await readText(file),
      tokenizerConfig: config,
      kind: 'tokenizer.json',
      path: file,
    };
  } else {
    const vocab = join(dir, VOCAB_JSON);
    const merges = join(dir, MERGES_TXT);
    if (!(await isFile(vocab)) || !(await isFile(merges))) {
      throw new TokenizerFileError(
        path,
        `${path} holds neither ${TOKENIZER_JSON} nor ${VOCAB_JSON} + ${MERGES_TXT}; give a Hugging Face tokenizer folder or a tokenizer.json file.`,
      );
    }
    source = {
      tokenizerJson: tokenizerJsonFromVocabMerges(await readText(vocab), await readText(merges), {
        vocab,
        merges,
      }),
      tokenizerConfig: config ?? gpt2TokenizerConfigText(),
      kind: 'vocab.json+merges.txt',
      path: vocab,
    };
  }
  const tokenizer = Tokenizer.fromStrings(source.tokenizerJson, source.tokenizerConfig, {
    tokenizer: source.path,
    config: configPath,
  });
  return { ...source, tokenizer };
}
