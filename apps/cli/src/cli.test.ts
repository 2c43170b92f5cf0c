// The built `spinettai` binary as a user meets it: help texts, exit codes and
// one-line errors for bad flags and bad inputs. Runs dist/bin.js as a subprocess.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GENIUS_ACCESS_TOKEN: '', ...env },
    cwd: work,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = [
  'demo',
  'scrape',
  'tokenize',
  'train',
  'generate',
  'eval',
  'export',
  'serve',
  'info',
  'bench',
];

describe('spinettai --help', () => {
  it('lists every command', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
  });

  it.each(COMMANDS)('%s --help describes its flags', (command) => {
    const r = cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: spinettai ${command}`);
    expect(r.stdout).toContain('--help');
  });
});

describe('usage errors exit with 2', () => {
  it.each([
    [['train', '--data', 'd', '--out', 'o', '--steps', '-5'], /--steps/],
    [['train', '--data', 'd', '--out', 'o', '--steps', 'ten'], /whole number/],
    [['train', '--data', 'd', '--out', 'o', '--dropout', '1.5'], /\[0, 1\)/],
    [['generate', '--model', 'm', '--top-p', '0'], /\(0, 1\]/],
    [['generate', '--model', 'm', '--temperature', '-1'], /number >= 0/],
    [['tokenize', '--corpus', 'c.jsonl'], /--out/],
    [['frobnicate'], /unknown command/],
    [['bench', 'fly'], /train, generate/],
  ])('%j', (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('user errors exit with 1 and one line', () => {
  const oneLine = (stderr: string) =>
    stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('spinettai:'));

  it('a missing data folder', () => {
    const r = cli(['train', '--data', join(work, 'nope'), '--out', join(work, 'run')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/nope/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing corpus file', () => {
    const r = cli(['tokenize', '--corpus', join(work, 'missing.jsonl'), '--out', join(work, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.jsonl/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed corpus line names file and line', () => {
    const corpus = join(work, 'bad.jsonl');
    writeFileSync(
      corpus,
      '{"id":1,"title":"a","artist":"x","album":null,"releaseDate":null,"url":null,"lyrics":"la la"}\n{not json\n',
    );
    const r = cli(['tokenize', '--corpus', corpus, '--out', join(work, 'data-bad')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl/);
    expect(r.stderr).toMatch(/bad\.jsonl:2\b/);
  });

  it('scrape without a token says how to get one', () => {
    const r = cli(['scrape', '--out', join(work, 'c.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GENIUS_ACCESS_TOKEN/);
    expect(r.stderr).toMatch(/genius\.com\/api-clients/);
  });

  it('an export whose model.onnx is garbage, saying to export again with the CLI command', () => {
    const dir = join(work, 'garbage-export');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        model_type: 'gpt2',
        vocab_size: 300,
        n_positions: 8,
        n_ctx: 8,
        n_embd: 8,
        n_layer: 1,
        n_head: 2,
      }),
    );
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'not a model');
    const r = cli(['generate', '--model', dir, '--prompt', 'la', '--max-tokens', '2']);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/model\.onnx is not an ONNX model .*`spinettai export`/);
    expect(r.stderr).not.toMatch(/looks like a bug|exportOnnx/);
  });

  it('info on something that is not a SpinettAI folder', () => {
    const r = cli(['info', work]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a corpus, data folder, checkpoint/);
  });
});
