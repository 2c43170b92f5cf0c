// A tiny checkpoint folder for generation/export tests: a byte-level BPE tokenizer
// trained in memory on a few lines, and GPT-2 weights from initParams, saved with
// saveCheckpoint. Weights are scaled up so greedy output is not a flat distribution.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainBpe } from '@spinettai/tokenizer';
import { writeTokenizerFiles } from '@spinettai/tokenizer/node';
import { saveCheckpoint } from '../../checkpoint/hfFolder.js';
import { type GPTConfig, validateConfig } from '../../config.js';
import { initParams, type Params } from '../../params.js';

const LYRICS = [
  'Oh la la, la noche se va, y yo me quedo cantando',
  'Walking down the river, singing to the moon, ñandú corazón',
  'Baby baby baby, you know the night is young',
  'Le ciel est bleu, la mer est calme, mon cœur est loin',
];

export interface TinyCheckpoint {
  root: string;
  dir: string;
  config: GPTConfig;
  params: Params;
  cleanup(): Promise<void>;
}

/** Writes a tiny checkpoint (vocab = tokenizer size) into a fresh temp folder. */
export async function tinyCheckpoint(overrides: Partial<GPTConfig> = {}, scale = 8): Promise<TinyCheckpoint> {
  const root = await mkdtemp(join(tmpdir(), 'spinettai-gen-'));
  const model = await trainBpe(LYRICS, { vocabSize: 300 });
  const tokDir = join(root, 'tok');
  await writeTokenizerFiles(tokDir, model);
  const config = validateConfig({
    vocabSize: model.vocab.length,
    blockSize: 32,
    nLayer: 2,
    nHead: 2,
    nEmbd: 16,
    dropout: 0,
    ...overrides,
  });
  const params = initParams(config, 11);
  for (const t of params.values())
    for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i]! *= scale;
  const dir = join(root, 'ckpt');
  await saveCheckpoint(dir, { config, params, bosTokenId: 0, eosTokenId: 0, tokenizerDir: tokDir });
  return { root, dir, config, params, cleanup: () => rm(root, { recursive: true, force: true }) };
}
