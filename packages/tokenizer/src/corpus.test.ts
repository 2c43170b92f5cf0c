import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonCorpus, parseJsonlCorpus, parseTxtCorpus } from './corpus.js';
import { CorpusError } from './errors.js';
import { readCorpus } from './node/corpusFile.js';
import { firstInvalidUtf8 } from './utf8.js';

const dir = mkdtempSync(join(tmpdir(), 'spinettai-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const caught = async (p: Promise<unknown>): Promise<CorpusError> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof CorpusError) return err;
    throw err;
  }
  throw new Error('expected a CorpusError');
};

describe('corpus readers', () => {
  it('reads scraper JSONL, skipping blank lines and songs without lyrics', async () => {
    const song = (id: number, lyrics: string) =>
      JSON.stringify({ id, title: `T${id}`, artist: 'A', album: null, releaseDate: null, url: null, lyrics });
    const p = file('c.jsonl', `${song(1, 'Hola\r\nmundo')}\n\n${song(2, '  ')}\n${song(3, 'ñandú 🎸')}\r\n`);
    expect(await readCorpus(p)).toEqual([
      { title: 'T1', lyrics: 'Hola\r\nmundo', artist: 'A' },
      { title: 'T3', lyrics: 'ñandú 🎸', artist: 'A' },
    ]);
  });

  it('reads seed-style JSON {title: lyrics}', async () => {
    const p = file('seed.json', '\ufeff{"Uno": "letra uno", "2": "letra dos", "Vacía": ""}');
    expect(await readCorpus(p)).toEqual([
      { title: '2', lyrics: 'letra dos' },
      { title: 'Uno', lyrics: 'letra uno' },
    ]);
  });

  it('reads .txt with <|endoftext|> separator lines', async () => {
    const p = file(
      'c.txt',
      'Primera\n\nverso <|endoftext|> dentro\n<|endoftext|>\n\nSegunda\r\n  <|endoftext|>  \r\n<|endoftext|>\n',
    );
    expect(await readCorpus(p)).toEqual([
      { title: null, lyrics: 'Primera\n\nverso <|endoftext|> dentro' },
      { title: null, lyrics: 'Segunda' },
    ]);
    expect(parseTxtCorpus('una sola canción\n')).toEqual([{ title: null, lyrics: 'una sola canción' }]);
  });

  it('reports a malformed JSONL line with file and line number', async () => {
    const p = file('bad.jsonl', '{"title":"a","lyrics":"x"}\n{"title":"b","lyrics":\n');
    const err = await caught(readCorpus(p));
    expect(err.code).toBe('malformed-line');
    expect(err.line).toBe(2);
    expect(err.file).toBe(p);
    expect(err.message).toContain(`${p}:2:`);
    expect(() => parseJsonlCorpus('{"title":"a"}', 'x.jsonl')).toThrow(/x.jsonl:1: expected a song object/);
    expect(() => parseJsonlCorpus('[1]', 'x.jsonl')).toThrow(CorpusError);
  });

  it('reports invalid UTF-8 with file and byte offset', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"a":"ñ'),
      0xc3,
      0x28,
      ...new TextEncoder().encode('"}'),
    ]);
    const p = file('bad.json', bytes);
    const err = await caught(readCorpus(p));
    expect(err.code).toBe('invalid-utf8');
    expect(err.byteOffset).toBe(8);
    expect(err.message).toContain('byte offset 8');
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // UTF-8-encoded surrogate
    expect(firstInvalidUtf8(new Uint8Array([0xc0, 0x80]))).toBe(0); // overlong
    expect(firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // > U+10FFFF
    expect(firstInvalidUtf8(new TextEncoder().encode('ok ñ 🎸 中'))).toBe(-1);
  });

  it('rejects empty corpora, malformed JSON, unknown formats and missing files', async () => {
    expect((await caught(readCorpus(file('e.txt', '\n <|endoftext|>\n\n')))).code).toBe('empty');
    expect((await caught(readCorpus(file('e.jsonl', '')))).code).toBe('empty');
    expect((await caught(readCorpus(file('e.json', '{}')))).code).toBe('empty');
    expect(() => parseJsonCorpus('["x"]', 'a.json')).toThrow(/expected an object/);
    expect(() => parseJsonCorpus('{"t": 3}', 'a.json')).toThrow(/"t" is not a string/);
    expect((await caught(readCorpus(file('c.csv', 'a,b')))).code).toBe('unsupported-format');
    expect((await caught(readCorpus(join(dir, 'nope.jsonl')))).code).toBe('unreadable');
  });
});
