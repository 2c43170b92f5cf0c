// `export --quantize`, `generate --dtype` and `bench generate --model --dtype` as a user
// runs them (dist/bin.js): the files appear, q4 text from the export equals q4 text from
// the checkpoint quantized in memory, and mistakes get one line saying what to do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from './test-utils/tinyModel.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

let root: string;
let checkpoint: string;
let out: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spinettai-quantize-cli-'));
  ({ checkpoint } = await tinyModel(root));
  out = join(root, 'q-export');
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('quantized exports from the CLI', () => {
  it('export --quantize q8,q4 writes model_quantized.onnx and model_q4.onnx', () => {
    const r = cli('export', '--model', checkpoint, '--out', out, '--quantize', 'q8,q4');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('onnx/model_q4.onnx');
    for (const f of ['model.onnx', 'model_quantized.onnx', 'model_q4.onnx'])
      expect(existsSync(join(out, 'onnx', f)), f).toBe(true);
    expect(existsSync(join(out, 'onnx', 'model_fp16.onnx'))).toBe(false);
  });

  it('generate --dtype q4 gives the same greedy text from the export and from the checkpoint', () => {
    const args = [
      '--dtype',
      'q4',
      '--prompt',
      'la noche',
      '--temperature',
      '0',
      '--max-tokens',
      '12',
      '--seed',
      '1',
    ];
    const fromExport = cli('generate', '--model', out, ...args);
    const fromCheckpoint = cli('generate', '--model', checkpoint, ...args);
    expect(fromExport.status, fromExport.stderr).toBe(0);
    expect(fromCheckpoint.status, fromCheckpoint.stderr).toBe(0);
    expect(fromExport.stdout.length).toBeGreaterThan('la noche'.length);
    expect(fromExport.stdout).toBe(fromCheckpoint.stdout);
  });

  it('says how to make a dtype the export lacks, and refuses unknown ones', () => {
    const missing = cli('generate', '--model', out, '--dtype', 'fp16', '--max-tokens', '2');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('export --quantize fp16');
    const badList = cli('export', '--model', checkpoint, '--out', join(root, 'bad'), '--quantize', 'q8,q3');
    expect(badList.status).toBe(2);
    expect(badList.stderr).toContain("unknown quantization 'q3'");
    expect(cli('generate', '--model', out, '--dtype', 'int2').status).toBe(2);
  });

  it('bench generate --model <export> --dtype q8 times that file', () => {
    const r = cli(
      'bench',
      'generate',
      '--model',
      out,
      '--dtype',
      'q8',
      '--new-tokens',
      '4',
      '--prompt-tokens',
      '4',
      '--threads',
      '1',
    );
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { dtype: string; model: string; new_tokens_per_s: number };
    expect(json.dtype).toBe('q8');
    expect(json.model).toBe(out);
    expect(json.new_tokens_per_s).toBeGreaterThan(0);
  });
});
