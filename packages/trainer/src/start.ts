// Where a run starts: fresh weights, a checkpoint to resume (after checking tokenizer
// and shape), or a checkpoint's weights to fine-tune (initFrom).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type GPTConfig, initParams, type Params, validateConfig } from '@spinettai/model';
import { loadCheckpoint } from '@spinettai/model/node';
import { TOKENIZER_JSON } from '@spinettai/tokenizer';
import { readTrainerCheckpoint } from './checkpoint.js';
import type { Dataset } from './data.js';
import { CheckpointMismatchError, TrainOptionsError } from './errors.js';
import { type ModelShape, type ResolvedOptions, TRAIN_DEFAULTS } from './options.js';

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

/** `validateConfig`, with a bad field reported as the trainer option that set it. */
function configOf(c: Partial<GPTConfig>): GPTConfig {
  try {
    return validateConfig(c);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const option = e.field === 'dropout' ? 'dropout' : `model.${e.field ?? ''}`;
    throw new TrainOptionsError(`option \`${option}\`: ${e.message}`, option, { cause: e });
  }
}

function shapeMismatch(a: Partial<GPTConfig>, b: GPTConfig): string | undefined {
  for (const f of SHAPE_FIELDS) if (a[f] !== undefined && a[f] !== b[f]) return `${f} ${a[f]} ≠ ${b[f]}`;
  return undefined;
}

export async function startingPoint(o: ResolvedOptions, data: Dataset, lastDir: string): Promise<Start> {
  const vocabSize = data.meta.vocab_size;
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
    if (ck.state.step > o.steps)
      throw new CheckpointMismatchError(
        `cannot resume ${lastDir}: it has trained ${ck.state.step} steps, more than \`steps\` = ${o.steps}; raise \`steps\` to continue it`,
      );
    return { cfg: configOf({ ...ck.config, dropout: o.dropout }), params: ck.params, resumed: ck };
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
        `cannot fine-tune from ${o.initFrom}: \`model\` differs from its config (${diff}); leave the shape out`,
      );
    if (!o.allowTokenizerMismatch) checkSameTokenizer(o.initFrom, data);
    return { cfg: configOf({ ...ck.config, dropout: o.dropout }), params: ck.params };
  }
  const shape: ModelShape = { ...TRAIN_DEFAULTS.model, ...o.model };
  const cfg = configOf({ ...shape, vocabSize, dropout: o.dropout });
  return { cfg, params: initParams(cfg, o.seed) };
}

/**
 * Refuses to fine-tune a checkpoint on data encoded by another tokenizer of the same size:
 * the token ids would mean different text. Compares the sha256 of both tokenizer.json files.
 */
function checkSameTokenizer(ckDir: string, data: Dataset): void {
  const path = join(ckDir, TOKENIZER_JSON);
  let sha: string;
  try {
    sha = sha256File(path);
  } catch {
    throw new CheckpointMismatchError(
      `cannot fine-tune from ${ckDir}: it has no ${TOKENIZER_JSON}, so its tokenizer cannot be compared with the dataset's; set \`allowTokenizerMismatch\` if the ids mean the same text`,
    );
  }
  if (sha !== data.meta.tokenizer_sha256)
    throw new CheckpointMismatchError(
      `cannot fine-tune from ${ckDir}: its tokenizer (sha256 ${sha.slice(0, 12)}…) differs from the one ${data.dir} was tokenized with (${data.meta.tokenizer_sha256.slice(0, 12)}…); tokenize with the checkpoint's tokenizer, or set \`allowTokenizerMismatch\``,
    );
}
