import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serializeModel } from '@spinettai/graph';
import * as ort from 'onnxruntime-node';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputFolderError } from '../checkpoint/atomic.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { ModelError } from '../errors.js';
import { KvDecoder } from '../generate/decoder.js';
import { loadTextGenerator } from '../generate/loadTextGenerator.js';
import { type TinyCheckpoint, tinyCheckpoint } from '../generate/test-utils/fixture.js';
import { buildGptGraph } from '../gpt.js';
import { ExportError } from './errors.js';
import { exportOnnx } from './exportOnnx.js';

let ckpt: TinyCheckpoint;
let fullLogits: Float32Array;
const ids = [0, 12, 99, 4, 4, 250, 31, 7, 18, 1];

beforeAll(async () => {
  ckpt = await tinyCheckpoint();
  const full = await InferenceSession.create(
    serializeModel(buildGptGraph(ckpt.config, { params: ckpt.params }).graph),
  );
  try {
    const out = await full.run({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    });
    fullLogits = out['logits']!.data as Float32Array;
  } finally {
    await full.release();
  }
});

afterAll(async () => {
  await ckpt.cleanup();
});

/** Max |exported − full-sequence| over every position, run as prefill(3) then one token per step. */
async function exportedMaxDiff(modelPath: string): Promise<number> {
  const V = ckpt.config.vocabSize;
  const dec = await KvDecoder.create(ort, modelPath, ckpt.config, { threads: 1 });
  try {
    let m = 0;
    const cmp = (row: Float32Array, t: number) => {
      for (let i = 0; i < V; i++) m = Math.max(m, Math.abs(row[i]! - fullLogits[t * V + i]!));
    };
    cmp(await dec.prefill(ids.slice(0, 3)), 2);
    for (let t = 3; t < ids.length; t++) cmp(await dec.step(ids[t]!), t);
    return m;
  } finally {
    await dec.release();
  }
}

describe('exportOnnx', () => {
  it('writes a transformers.js-style folder whose model matches the full-sequence graph', async () => {
    const out = join(ckpt.root, 'export');
    const r = await exportOnnx(ckpt.dir, out);
    expect(r.externalData).toBe(false);
    expect(r.files.sort()).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect((await readdir(out)).sort()).toEqual([
      '.spinettai.json', // this tool's marker: only such a folder is ever replaced
      'config.json',
      'generation_config.json',
      'onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2',
      n_layer: 2,
      n_head: 2,
      n_embd: 16,
      use_cache: true,
      eos_token_id: 0,
    });
    expect(JSON.parse(await readFile(join(out, 'generation_config.json'), 'utf8'))).toMatchObject({
      eos_token_id: 0,
      bos_token_id: 0,
    });
    expect(await readFile(join(out, 'tokenizer.json'))).toEqual(
      await readFile(join(ckpt.dir, 'tokenizer.json')),
    );

    const session = await InferenceSession.create(r.modelPath);
    try {
      expect(session.inputNames).toEqual([
        'input_ids',
        'attention_mask',
        'position_ids',
        'past_key_values.0.key',
        'past_key_values.0.value',
        'past_key_values.1.key',
        'past_key_values.1.value',
      ]);
      expect(session.outputNames).toEqual([
        'logits',
        'present.0.key',
        'present.0.value',
        'present.1.key',
        'present.1.value',
      ]);
    } finally {
      await session.release();
    }
    expect(await exportedMaxDiff(r.modelPath)).toBeLessThan(1e-4);
  });

  it('the export folder generates the same text as the checkpoint', async () => {
    const out = join(ckpt.root, 'export-gen');
    await exportOnnx(ckpt.dir, out);
    await expect(loadTextGenerator(join(ckpt.root, 'nothing-here'))).rejects.toThrow(CheckpointError);
    const a = await loadTextGenerator(ckpt.dir, { threads: 1 }); // checkpoint folder
    const b = await loadTextGenerator(out, { threads: 1 }); // export folder
    try {
      const opts = { temperature: 0.9, topK: 40, seed: 3, maxNewTokens: 30, stopAtEos: false };
      const ra = await a.generate('la noche', opts);
      const rb = await b.generate('la noche', opts);
      expect(rb.tokenIds).toHaveLength(30);
      expect(rb).toEqual(ra);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('external data: weights go to model.onnx_data and the model still matches', async () => {
    const out = join(ckpt.root, 'export-ext');
    const r = await exportOnnx(ckpt.dir, out, { externalData: true });
    expect(r.externalData).toBe(true);
    expect((await readdir(join(out, 'onnx'))).sort()).toEqual(['model.onnx', 'model.onnx_data']);
    expect((await stat(join(out, 'onnx', 'model.onnx'))).size).toBeLessThan(50_000);
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8'))['transformers.js_config']).toEqual({
      use_external_data_format: true,
    });
    expect(await exportedMaxDiff(r.modelPath)).toBeLessThan(1e-4);
  });

  it('an export swap killed between its renames is repaired when the folder is loaded', async () => {
    const out = join(ckpt.root, 'export-killed');
    await exportOnnx(ckpt.dir, out);
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    await rename(out, join(ckpt.root, `.export-killed.old-${dead}-aa`)); // the state after `out → .old`
    const g = await loadTextGenerator(out, { threads: 1 });
    await g.release();
    expect((await readdir(ckpt.root)).filter((n) => n.startsWith('.export-killed'))).toEqual([]);
  });

  it('rejects unknown options with an ExportError naming the key', async () => {
    const r = exportOnnx(ckpt.dir, join(ckpt.root, 'never-opts'), { external_data: true } as never);
    await expect(r).rejects.toThrow(ExportError);
    await expect(r).rejects.toThrow(/'external_data'.*did you mean 'externalData'/);
    await expect(r).rejects.toBeInstanceOf(ModelError);
  });

  it('replaces an earlier export, refuses other folders, writes nothing on error', async () => {
    const out = join(ckpt.root, 'export-again');
    await exportOnnx(ckpt.dir, out);
    await writeFile(join(out, 'stale.txt'), 'old');
    // Re-running over an earlier export needs `overwrite` (issue 12: never destroy work silently).
    await expect(exportOnnx(ckpt.dir, out)).rejects.toThrow(
      /export-again: holds an earlier spinettai export; use `overwrite` to replace it/,
    );
    expect(await readdir(out)).toContain('stale.txt');
    await exportOnnx(ckpt.dir, out, { overwrite: true });
    expect(await readdir(out)).not.toContain('stale.txt');

    const other = join(ckpt.root, 'not-an-export');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'keep me');
    await expect(exportOnnx(ckpt.dir, other, { overwrite: true })).rejects.toThrow(OutputFolderError);
    expect(await readdir(other)).toEqual(['notes.txt']);

    // issue 12: a user's project that merely looks like an export (onnx/ + config.json) is kept.
    const project = join(ckpt.root, 'my-project');
    await mkdir(join(project, 'onnx'), { recursive: true });
    await mkdir(join(project, 'src'));
    for (const f of ['config.json', 'README.md', 'onnx/other.onnx', 'src/main.ts'])
      await writeFile(join(project, f), 'mine');
    await expect(exportOnnx(ckpt.dir, project, { overwrite: true })).rejects.toThrow(
      /my-project: is a non-empty folder that spinettai did not write/,
    );
    expect((await readdir(project)).sort()).toEqual(['README.md', 'config.json', 'onnx', 'src']);
    expect(await readdir(join(project, 'onnx'))).toEqual(['other.onnx']);
    // and a spinettai folder of another kind (a checkpoint) is not an export either
    await expect(exportOnnx(ckpt.dir, ckpt.dir, { overwrite: true })).rejects.toThrow(
      /is a spinettai checkpoint folder, not the export folder expected here/,
    );
    expect((await readdir(ckpt.root)).filter((n) => n.endsWith('.lock'))).toEqual([]);

    const noTok = join(ckpt.root, 'ckpt-no-tokenizer');
    await mkdir(noTok);
    for (const f of ['config.json', 'model.safetensors'])
      await writeFile(join(noTok, f), await readFile(join(ckpt.dir, f)));
    await expect(exportOnnx(noTok, join(ckpt.root, 'never'))).rejects.toThrow(/tokenizer\.json is missing/);
    await expect(exportOnnx(noTok, join(ckpt.root, 'never'))).rejects.toThrow(ExportError);
    expect((await readdir(ckpt.root)).filter((n) => n.includes('never'))).toEqual([]);
  });
});
