// Test-only helpers around the Rust `tokenizers` npm package (the oracle).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPE, byteLevelPreTokenizer, Tokenizer } from 'tokenizers';

/** The Rust tokenizer.json model section we read back. */
interface SavedModel {
  model: { vocab: Record<string, number>; merges: [string, string][] };
}

/**
 * Trains HF's Rust BpeTrainer through the Node binding on `text` (written to a
 * file: the binding only trains from files, line by line) with a GPT-2 ByteLevel
 * pre-tokenizer. The binding always uses `BpeTrainer::default()`.
 */
export function rustTrain(text: string): SavedModel['model'] {
  const dir = mkdtempSync(join(tmpdir(), 'spinettai-rust-bpe-'));
  try {
    const file = join(dir, 'corpus.txt');
    writeFileSync(file, text);
    const tok = new Tokenizer(BPE.empty());
    tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
    tok.train([file]);
    const out = join(dir, 'tokenizer.json');
    tok.save(out);
    return (JSON.parse(readFileSync(out, 'utf8')) as SavedModel).model;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits text into lines that keep their "\n", as the Rust binding reads files. */
export function linesWithEndings(text: string): string[] {
  return text.split(/(?<=\n)/);
}
