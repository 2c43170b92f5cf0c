// Where a run starts: fresh weights, a checkpoint to resume (after checking tokenizer
// and shape), or a checkpoint's weights to fine-tune (initFrom).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type GPTConfig, initParams, loadCheckpoint, type Params, validateConfig } from '@spinettai/model';
import { readTrainerCheckpoint } from './checkpoint.js';
import type { Dataset } from './data.js';
import { CheckpointMismatchError, DatasetError } from './errors.js';
import type { ResolvedOptions } from './options.js';

const SHAPE_FIELDS = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const;

/** Where a run starts from. */
export interface Start {
  cfg: GPTConfig;
  params: Params;
  resumed?: Awaited<ReturnType<typeof readTrainerCheckpoint>>;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function shapeMismatch(a: Partial<GPTConfig>, b: GPTConfig): string | undefined {
  for (const f of SHAPE_FIELDS) if (a[f] !== undefined && a[f] !== b[f]) return `${f} ${a[f]} ≠ ${b[f]}`;
  return undefined;
}

export async function startingPoint(o: ResolvedOptions, data: Dataset, lastDir: string): Promise<Start> {
  const vocabSize = data.meta.vocab_size;
  if (o.model.vocabSize !== undefined && o.model.vocabSize !== vocabSize) {
    throw new DatasetError(
      `model.vocabSize ${o.model.vocabSize} differs from the dataset's vocab_size ${vocabSize} (${data.dir}/meta.json); leave it unset`,
    );
  }
  if (o.resume) {
    const ck = await readTrainerCheckpoint(lastDir);
    if (ck.state.tokenizer_sha256 !== data.meta.tokenizer_sha256) {
      throw new CheckpointMismatchError(
        `cannot resume ${lastDir}: it was trained with tokenizer sha256 ${ck.state.tokenizer_sha256.slice(0, 12)}…, the dataset in ${data.dir} uses ${data.meta.tokenizer_sha256.slice(0, 12)}…; use the original dataset or start a new run`,
      );
    }
    const diff = shapeMismatch({ ...o.model, vocabSize }, ck.config);
    if (diff !== undefined)
      throw new CheckpointMismatchError(
        `cannot resume ${lastDir}: the model shape differs (${diff}); use the checkpoint's shape or start a new run`,
      );
    return { cfg: validateConfig({ ...ck.config, dropout: o.dropout }), params: ck.params, resumed: ck };
  }
  if (o.initFrom !== undefined) {
    const ck = await loadCheckpoint(o.initFrom);
    if (ck.config.vocabSize !== vocabSize) {
      throw new CheckpointMismatchError(
        `cannot fine-tune from ${o.initFrom}: its vocabulary has ${ck.config.vocabSize} tokens, the dataset ${vocabSize}; tokenize with that checkpoint's tokenizer`,
      );
    }
    const diff = shapeMismatch(o.model, ck.config);
    if (diff !== undefined)
      throw new CheckpointMismatchError(
        `cannot fine-tune from ${o.initFrom}: model options differ from its config (${diff}); drop the shape flags`,
      );
    return { cfg: validateConfig({ ...ck.config, dropout: o.dropout }), params: ck.params };
  }
  const cfg = validateConfig({ ...o.model, vocabSize, dropout: o.dropout });
  return { cfg, params: initParams(cfg, o.seed) };
}
