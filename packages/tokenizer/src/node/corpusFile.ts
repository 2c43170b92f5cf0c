// Reads a corpus file from disk and parses it by extension (Node only).

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseJsonCorpus, parseJsonlCorpus, parseTxtCorpus, type Song } from '../corpus.js';
import { CorpusError } from '../errors.js';
import { decodeUtf8File } from '../utf8.js';

/**
 * Reads a corpus file, choosing the parser by extension (.jsonl, .json, .txt).
 * @throws CorpusError: unreadable file, unknown extension, invalid UTF-8 (with byte
 * offset), malformed JSONL line (with line number), malformed JSON, no songs.
 */
export async function readCorpus(path: string): Promise<Song[]> {
  const ext = extname(path).toLowerCase();
  const parse = { '.jsonl': parseJsonlCorpus, '.json': parseJsonCorpus, '.txt': parseTxtCorpus }[ext];
  if (parse === undefined) {
    throw new CorpusError(
      'unsupported-format',
      `${path}: unknown corpus format "${ext}"; use .jsonl, .json or .txt.`,
      { file: path },
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new CorpusError(
      'unreadable',
      `Cannot read corpus ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
      { file: path },
    );
  }
  return parse(decodeUtf8File(bytes, path), path);
}
