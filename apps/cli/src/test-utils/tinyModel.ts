// A tiny random GPT-2 for the CLI's serve and page tests: a BPE tokenizer trained on a
// few lines and GPT-2 weights scaled up (so greedy text varies), saved as a checkpoint
// and exported, through the libraries' public APIs.
import { join } from 'node:path';
import { initParams, validateConfig } from '@spinettai/model';
import { exportOnnx, saveCheckpoint } from '@spinettai/model/node';
import { trainBpe } from '@spinettai/tokenizer';
import { writeTokenizerFiles } from '@spinettai/tokenizer/node';

/** Writes `root/tok`, `root/ckpt` and `root/export`; returns their paths. */
export async function tinyModel(root: string): Promise<{ checkpoint: string; exported: string }> {
  const tok = await trainBpe(
    ['la noche se va y yo me quedo cantando', 'bajo el sol del río, la luna canta', 'mi corazón camina'],
    { vocabSize: 300 },
  );
  await writeTokenizerFiles(join(root, 'tok'), tok);
  const config = validateConfig({
    vocabSize: tok.vocab.length,
    blockSize: 32,
    nLayer: 2,
    nHead: 2,
    nEmbd: 16,
    dropout: 0,
  });
  const params = initParams(config, 5);
  for (const t of params.values()) for (let i = 0; i < t.data.length; i++) (t.data as Float32Array)[i]! *= 8;
  const checkpoint = join(root, 'ckpt');
  const exported = join(root, 'export');
  await saveCheckpoint(checkpoint, {
    config,
    params,
    bosTokenId: 0,
    eosTokenId: 0,
    tokenizerDir: join(root, 'tok'),
  });
  await exportOnnx(checkpoint, exported);
  return { checkpoint, exported };
}
