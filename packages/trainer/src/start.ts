// Where a run starts: fresh weights, a checkpoint to resume (after checking tokenizer
// and shape), or a checkpoint's weights to fine-tune (initFrom) — all of them, or a
// fresh LoRA adapter over them (lora). A Hub model's context (n_positions, 1,024 for
// GPT-2) may be cut: fine-tune at a smaller `model.blockSize`.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConfigError,
  type GPTConfig,
  initLora,
  initParams,
  type Params,
  validateConfig,
} from '@spinettai/model';
import { isAdapterFolder, loadCheckpoint } from '@spinettai/model/node';
import { TOKENIZER_JSON } from '@spinettai/tokenizer';
import { readTokenizerSource } from '@spinettai/tokenizer/node';
import { readTrainerCheckpoint } from './checkpoint.js';
import type { Dataset } from './data.js';
import { CheckpointMismatchError, TrainOptionsError } from './errors.js';
import { type LoraSetup, readLoraCheckpoint } from './lora.js';
import { type ModelShape, type ResolvedOptions, TRAIN_DEFAULTS } from './options.js';

const SHAPE_FIELDS = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const;
/** Fields a fine-tune must take from its checkpoint (blockSize may be cut, up to nPositions). */
const WEIGHT_SHAPE_FIELDS = ['vocabSize', 'nLayer', 'nHead', 'nEmbd'] as const;

/** Where a run starts from. */
export interface Start {
  cfg: GPTConfig;
  /** The trainable tensors: every weight, or a LoRA run's A and B. */
  params: Params;
  resumed?: Awaited<ReturnType<typeof readTrainerCheckpoint>>;
  /** Set for a LoRA run: the adapter config and the frozen base. */
  lora?: LoraSetup | undefined;
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

function shapeMismatch(
  a: Partial<GPTConfig>,
  b: GPTConfig,
  fields: readonly (keyof GPTConfig)[] = SHAPE_FIELDS,
): string | undefined {
  for (const f of fields) if (a[f] !== undefined && a[f] !== b[f]) return `${f} ${a[f]} ≠ ${b[f]}`;
  return undefined;
}

export async function startingPoint(o: ResolvedOptions, data: Dataset, lastDir: string): Promise<Start> {
  const vocabSize = data.meta.vocab_size;
  if (o.resume) {
    // A LoRA run's checkpoints are adapter folders; its base comes from base_model_name_or_path.
    const isLora = await isAdapterFolder(lastDir);
    const ck = isLora ? await readLoraCheckpoint(lastDir) : await readTrainerCheckpoint(lastDir);
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
    if (o.lora !== undefined && !isLora)
      throw new CheckpointMismatchError(
        `cannot resume ${lastDir} with \`lora\`: it is a full fine-tune's checkpoint, not a LoRA adapter; resume without \`lora\``,
      );
    const lora = 'lora' in ck ? (ck.lora as LoraSetup) : undefined;
    return { cfg: configOf({ ...ck.config, dropout: o.dropout }), params: ck.params, resumed: ck, lora };
  }
  if (o.initFrom !== undefined) {
    const ck = await loadCheckpoint(o.initFrom);
    if (ck.config.vocabSize !== vocabSize) {
      throw new CheckpointMismatchError(
        `cannot fine-tune from ${o.initFrom}: its vocabulary has ${ck.config.vocabSize} tokens, the dataset ${vocabSize}; tokenize with that checkpoint's tokenizer`,
      );
    }
    const diff = shapeMismatch(o.model, ck.config, WEIGHT_SHAPE_FIELDS);
    if (diff !== undefined)
      throw new CheckpointMismatchError(
        `cannot fine-tune from ${o.initFrom}: \`model\` differs from its config (${diff}); leave the shape out (only \`model.blockSize\` may be smaller)`,
      );
    if (!o.allowTokenizerMismatch) await checkSameTokenizer(o.initFrom, data);
    const cfg = configOf({
      ...ck.config,
      blockSize: o.model.blockSize ?? ck.config.blockSize,
      dropout: o.dropout,
    });
    if (o.lora === undefined) return { cfg, params: ck.params };
    return {
      cfg,
      params: initLora(cfg, o.lora, o.seed),
      lora: { config: o.lora, base: ck.params, baseDir: resolve(o.initFrom) },
    };
  }
  const shape: ModelShape = { ...TRAIN_DEFAULTS.model, ...o.model };
  const cfg = configOf({ ...shape, vocabSize, dropout: o.dropout });
  return { cfg, params: initParams(cfg, o.seed) };
}

/**
 * Refuses to fine-tune a checkpoint on data encoded by another tokenizer of the same size:
 * the token ids would mean different text. Compares the sha256 of both tokenizer.json files;
 * a Hub folder with only GPT-2's vocab.json + merges.txt is converted first, exactly as
 * `tokenize --tokenizer` converts it (the tokenizer package's readTokenizerSource).
 */
async function checkSameTokenizer(ckDir: string, data: Dataset): Promise<void> {
  let sha: string;
  try {
    sha = existsSync(join(ckDir, TOKENIZER_JSON))
      ? sha256File(join(ckDir, TOKENIZER_JSON))
      : createHash('sha256')
          .update((await readTokenizerSource(ckDir)).tokenizerJson)
          .digest('hex');
  } catch {
    throw new CheckpointMismatchError(
      `cannot fine-tune from ${ckDir}: it has no ${TOKENIZER_JSON} (nor vocab.json + merges.txt), so its tokenizer cannot be compared with the dataset's; set \`allowTokenizerMismatch\` if the ids mean the same text`,
    );
  }
  if (sha !== data.meta.tokenizer_sha256)
    throw new CheckpointMismatchError(
      `cannot fine-tune from ${ckDir}: its tokenizer (sha256 ${sha.slice(0, 12)}…) differs from the one ${data.dir} was tokenized with (${data.meta.tokenizer_sha256.slice(0, 12)}…); tokenize with the checkpoint's tokenizer, or set \`allowTokenizerMismatch\``,
    );
}
