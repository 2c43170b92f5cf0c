// TextGenerator with the runtime injected: onnxruntime-web (its WASM backend, the one a
// browser page uses) must generate exactly what onnxruntime-node does from the same
// exported model bytes, and a module that is not onnxruntime is refused by name.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTokenizer } from '@spinettai/tokenizer/node';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHfConfig } from '../config.js';
import { exportOnnx } from '../export/exportOnnx.js';
import { GenerationError } from './errors.js';
import type { OrtModule } from './ort.js';
import { type TinyCheckpoint, tinyCheckpoint } from './test-utils/fixture.js';
import { TextGenerator } from './textGenerator.js';

// Both runtimes fit the structural type without a cast.
const runtimes: Record<string, OrtModule> = { 'onnxruntime-node': ortNode, 'onnxruntime-web': ortWeb };

let ckpt: TinyCheckpoint;
let exportDir: string;

beforeAll(async () => {
  ortWeb.env.wasm.numThreads = 1;
  ckpt = await tinyCheckpoint();
  exportDir = join(ckpt.root, 'export');
  await exportOnnx(ckpt.dir, exportDir);
});

afterAll(async () => {
  await ckpt.cleanup();
});

/** What a browser page does: bytes and JSON fetched from an export folder, nothing read by the library. */
async function fromExportBytes(ort: OrtModule): Promise<TextGenerator> {
  const config = fromHfConfig(JSON.parse(await readFile(join(exportDir, 'config.json'), 'utf8')));
  return TextGenerator.create({
    ort,
    model: new Uint8Array(await readFile(join(exportDir, 'onnx', 'model.onnx'))),
    config,
    tokenizer: await loadTokenizer(exportDir),
    threads: 1,
  });
}

describe('TextGenerator with an injected onnxruntime', () => {
  it('onnxruntime-web (WASM) generates the same text as onnxruntime-node', async () => {
    const results = [];
    for (const ort of Object.values(runtimes)) {
      const gen = await fromExportBytes(ort);
      try {
        results.push({
          greedy: await gen.generate('la noche', { temperature: 0, maxNewTokens: 40, stopAtEos: false }),
          sampled: await gen.generate('baby', { seed: 5, maxNewTokens: 40, stopAtEos: false }),
        });
      } finally {
        await gen.release();
      }
    }
    const [node, web] = results;
    expect(node!.greedy.tokenIds).toHaveLength(40);
    expect(web).toEqual(node);
  });

  it('refuses a module that is not onnxruntime, and a model that is neither bytes nor a path', async () => {
    const model = new Uint8Array(await readFile(join(exportDir, 'onnx', 'model.onnx')));
    const config = ckpt.config;
    const notOrt = { InferenceSession: {} } as unknown as OrtModule;
    await expect(TextGenerator.create({ ort: notOrt, model, config })).rejects.toThrow(GenerationError);
    await expect(TextGenerator.create({ ort: notOrt, model, config })).rejects.toThrow(
      /'ort'.*onnxruntime-web/,
    );
    const bad = TextGenerator.create({ ort: ortNode, model: 42 as unknown as string, config });
    await expect(bad).rejects.toMatchObject({ option: 'model' });
    await expect(
      TextGenerator.create({ ort: ortNode, model, config, tokenzier: 1 } as never),
    ).rejects.toThrow(/'tokenzier'/);
  });
});
