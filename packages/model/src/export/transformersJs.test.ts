// Interop check: transformers.js (@huggingface/transformers, on onnxruntime-node)
// loads an exportOnnx folder from local files only and generates the same greedy
// tokens as our TextGenerator. Independent code path: its own cache handling, position
// ids, attention mask and empty-past shapes.

import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTextGenerator } from '../generate/loadTextGenerator.js';
import { type TinyCheckpoint, tinyCheckpoint } from '../generate/test-utils/fixture.js';
import { exportOnnx } from './exportOnnx.js';

let ckpt: TinyCheckpoint;

beforeAll(async () => {
  ckpt = await tinyCheckpoint();
  await exportOnnx(ckpt.dir, join(ckpt.root, 'hf-export'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.localModelPath = `${ckpt.root}/`;
});

afterAll(async () => {
  await ckpt.cleanup();
});

describe('transformers.js interop', () => {
  it('generates the same greedy tokens from the export folder', async () => {
    const prompt = [0, 10, 20, 30, 40];
    const n = 24;
    const model = await AutoModelForCausalLM.from_pretrained('hf-export', {
      dtype: 'fp32',
      local_files_only: true,
    });
    let theirs: number[];
    try {
      const input_ids = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, prompt.length]);
      const attention_mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [
        1,
        prompt.length,
      ]);
      const out = (await model.generate({
        input_ids,
        attention_mask,
        max_new_tokens: n,
        min_new_tokens: n,
        do_sample: false,
      })) as Tensor;
      theirs = Array.from(out.data as BigInt64Array, Number).slice(prompt.length);
    } finally {
      await model.dispose();
    }
    const gen = await loadTextGenerator(join(ckpt.root, 'hf-export'), { threads: 1 });
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
  });

  it('reads the exported tokenizer files', async () => {
    const tok = await AutoTokenizer.from_pretrained('hf-export', { local_files_only: true });
    const gen = await loadTextGenerator(join(ckpt.root, 'hf-export'), { threads: 1 });
    try {
      const text = 'la noche se va, ñandú';
      expect(tok.encode(text, { add_special_tokens: false })).toEqual(gen.tokenizer!.encode(text));
      expect(tok.eos_token_id).toBe(gen.eosTokenId);
    } finally {
      await gen.release();
    }
  });
});
