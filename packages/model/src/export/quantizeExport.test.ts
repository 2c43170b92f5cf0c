// exportOnnx({ quantize }) end to end: the files sit where transformers.js looks for each
// `dtype`, transformers.js loads and runs every one of them and picks the same greedy
// tokens as our TextGenerator on the same file, and the weights shrink as they should.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config.js';
import { benchGenerate } from '../generate/bench.js';
import { loadTextGenerator } from '../generate/loadTextGenerator.js';
import { type TinyCheckpoint, tinyCheckpoint } from '../generate/test-utils/fixture.js';
import { TextGenerator } from '../generate/textGenerator.js';
import { buildKvCacheGraph } from '../kvGraph.js';
import { initParams } from '../params.js';
import { exportOnnx } from './exportOnnx.js';
import { MODEL_FILE_FOR_DTYPE, type ModelDType, parseQuantizeList, quantizeGraph } from './quantize.js';
import { modelFileForDtype } from './quantizeFiles.js';

let ckpt: TinyCheckpoint;
let exportDir: string;
let files: string[];

beforeAll(async () => {
  // nEmbd 64: whole 32-blocks, as in every real config.
  ckpt = await tinyCheckpoint({ nEmbd: 64, nHead: 2 }, 3);
  exportDir = join(ckpt.root, 'q-export');
  files = (await exportOnnx(ckpt.dir, exportDir, { quantize: ['q8', 'q4', 'fp16'] })).files;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.localModelPath = `${ckpt.root}/`;
}, 120_000);

afterAll(async () => {
  await ckpt?.cleanup();
});

async function transformersJsGreedy(dtype: ModelDType, prompt: number[], n: number): Promise<number[]> {
  const model = await AutoModelForCausalLM.from_pretrained('q-export', { dtype, local_files_only: true });
  try {
    const input_ids = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
    const attention_mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
    const out = (await model.generate({
      input_ids,
      attention_mask,
      max_new_tokens: n,
      min_new_tokens: n,
      do_sample: false,
    })) as Tensor;
    return Array.from(out.data as BigInt64Array, Number).slice(prompt.length);
  } finally {
    await model.dispose();
  }
}

describe('exportOnnx({ quantize })', () => {
  it('writes the files transformers.js loads for each dtype', () => {
    for (const name of Object.values(MODEL_FILE_FOR_DTYPE)) expect(files).toContain(`onnx/${name}`);
  });

  it.each<ModelDType>(['fp32', 'q8', 'q4', 'fp16'])(
    'transformers.js runs the %s file and picks our greedy tokens',
    async (dtype) => {
      const prompt = [0, 10, 20, 30, 40];
      const n = 16;
      const theirs = await transformersJsGreedy(dtype, prompt, n);
      const gen = await TextGenerator.create({
        ort,
        model: await modelFileForDtype(exportDir, dtype),
        config: ckpt.config,
        threads: 1,
      });
      try {
        const ours = await gen.generateIds(prompt, {
          temperature: 0,
          repetitionPenalty: 1,
          maxNewTokens: n,
          stopTokenIds: [],
        });
        expect(theirs).toHaveLength(n);
        expect(ours.ids).toEqual(theirs);
      } finally {
        await gen.release();
      }
    },
    60_000,
  );

  it('loadTextGenerator({ dtype }) opens the export file, or quantizes a checkpoint the same way', async () => {
    const run = async (dir: string, dtype: ModelDType) => {
      const gen = await loadTextGenerator(dir, { dtype, threads: 1 });
      try {
        const r = await gen.generateIds([0, 7, 9], {
          temperature: 0,
          repetitionPenalty: 1,
          maxNewTokens: 12,
        });
        return r.ids;
      } finally {
        await gen.release();
      }
    };
    const fromExport = await run(exportDir, 'q4');
    expect(await run(ckpt.dir, 'q4')).toEqual(fromExport);
    await expect(loadTextGenerator(exportDir, { dtype: 'q2' as ModelDType })).rejects.toThrow(
      /unknown dtype 'q2'/,
    );
  });

  it('benchGenerate times an export folder in the dtype asked for', async () => {
    const r = await benchGenerate(
      {},
      { model: exportDir, dtype: 'q8', promptTokens: 4, newTokens: 4, runs: 1, threads: 1 },
    );
    expect(r.dtype).toBe('q8');
    expect(r.new_tokens_per_s).toBeGreaterThan(0);
    await expect(benchGenerate({}, { model: ckpt.dir, dtype: 'q4' })).rejects.toThrow(
      /model_q4.onnx is missing/,
    );
  });

  it('quantized files are smaller than model.onnx', async () => {
    const size = async (d: ModelDType) => (await stat(await modelFileForDtype(exportDir, d))).size;
    const fp32 = await size('fp32');
    expect(await size('q8')).toBeLessThan(fp32 / 2);
    expect(await size('q4')).toBeLessThan(await size('q8'));
    expect(await size('fp16')).toBeLessThan(fp32 * 0.6);
  });

  it('says how to make a missing dtype and rejects unknown ones', async () => {
    const plain = join(ckpt.root, 'plain-export');
    await exportOnnx(ckpt.dir, plain);
    await expect(modelFileForDtype(plain, 'q4')).rejects.toThrow(/export --quantize q4/);
    await expect(modelFileForDtype(plain, 'int3')).rejects.toThrow(/unknown dtype 'int3'/);
    expect(() => parseQuantizeList('q4,q8,q4')).not.toThrow();
    expect(parseQuantizeList('q4,q8,q4')).toEqual(['q8', 'q4']);
    expect(() => parseQuantizeList('q8,int4')).toThrow(/unknown quantization 'int4'/);
    await expect(exportOnnx(ckpt.dir, join(ckpt.root, 'bad'), { quantize: ['q5' as 'q4'] })).rejects.toThrow(
      /unknown quantization 'q5'/,
    );
  });
});

describe('weight bytes', () => {
  // A mid-sized config: the MatMul weights dominate, as at the seed config.
  const cfg = validateConfig({ vocabSize: 1024, blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 256, dropout: 0 });
  const fp32 = buildKvCacheGraph(cfg, initParams(cfg, 3));
  const isWeight = (name: string) =>
    /\.(c_attn|c_proj|c_fc)\.weight/.test(name) || name.startsWith('transformer.wte.');
  const bytes = (g: typeof fp32) =>
    [...g.initializers].filter(([n]) => isWeight(n)).reduce((s, [, t]) => s + t.data.byteLength, 0);

  it.each([
    ['q8', 0.25, 0.26], // 1 byte per weight + a float32 scale per column
    ['q4', 1 / 6.5, 1 / 6], // 0.5 byte per weight + (4 + 0.5) bytes per block of 32
    ['fp16', 0.5, 0.5],
  ] as const)('%s: matmul + embedding weights are %f–%f of float32', (dtype, lo, hi) => {
    const ratio = bytes(quantizeGraph(fp32, dtype)) / bytes(fp32);
    expect(ratio).toBeGreaterThanOrEqual(lo);
    expect(ratio).toBeLessThanOrEqual(hi);
  });
});
