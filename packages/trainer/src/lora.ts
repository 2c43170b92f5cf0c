// LoRA runs: the base model is frozen (fed to every session as plain inputs, never
// differentiated, no optimizer state) and only the adapters' A and B train. Their
// checkpoints are PEFT adapter folders written by the model package's saveAdapter:
//   adapter_config.json, adapter_model.safetensors   (PEFT's layout and names)
//   tokenizer.json, tokenizer_config.json             (the data folder's tokenizer)
//   trainer_state.json, optimizer.safetensors         (as in a full run's checkpoint)
// base_model_name_or_path is the absolute --init-from folder, so a resume (and generate,
// export, info) finds the base again. Hu et al. 2021, https://arxiv.org/abs/2106.09685.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { type GPTConfig, type LoraConfig, loraShapes, type Params, validateConfig } from '@spinettai/model';
import {
  encodeSafetensors,
  loadAdapter,
  loadCheckpoint,
  readSafetensorsFile,
  recoverDir,
  resolveAdapterBase,
  saveAdapter,
} from '@spinettai/model/node';
import { Tensor } from 'onnxruntime-node';
import type { LoadedTrainerCheckpoint, TrainerState } from './checkpoint.js';
import { CheckpointMismatchError } from './errors.js';
import { parseTrainerState, TRAINER_STATE_JSON } from './trainerState.js';

/** The file of the AdamW moments in every trainer checkpoint. */
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** What a LoRA run holds besides its trainable tensors. */
export interface LoraSetup {
  readonly config: LoraConfig;
  /** The frozen base weights (float32), fed to the sessions as inputs. */
  readonly base: Params;
  /** Absolute path of the base model folder (base_model_name_or_path). */
  readonly baseDir: string;
}

/** onnxruntime tensors over the frozen base weights (zero-copy, built once per run). */
export function frozenFeeds(base: Params): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const [name, t] of base) {
    if (!(t.data instanceof Float32Array))
      throw new CheckpointMismatchError(`base tensor '${name}' must be float32, got ${t.dtype}`);
    feeds[name] = new Tensor('float32', t.data, [...t.dims]);
  }
  return feeds;
}

/** optimizer.safetensors of a checkpoint: exp_avg.<name> and exp_avg_sq.<name>, float32. */
export function encodeMoments(step: number, m: Params, v: Params): Uint8Array {
  const moments = new Map<string, TensorData>();
  for (const [k, t] of m) moments.set(`exp_avg.${k}`, t);
  for (const [k, t] of v) moments.set(`exp_avg_sq.${k}`, t);
  return encodeSafetensors(moments, { step: String(step), format: 'spinettai-adamw' });
}

/**
 * Reads optimizer.safetensors, refusing a tensor whose name or shape is not one of
 * `shapes` (the trainable parameters), and a missing one.
 */
export async function readMoments(
  dir: string,
  shapes: ReadonlyMap<string, readonly number[]>,
): Promise<{ m: Params; v: Params }> {
  const file = join(dir, OPTIMIZER_FILE);
  const paramOf = (k: string) =>
    k.startsWith('exp_avg_sq.')
      ? k.slice('exp_avg_sq.'.length)
      : k.startsWith('exp_avg.')
        ? k.slice('exp_avg.'.length)
        : undefined;
  const { tensors } = await readSafetensorsFile(file, {
    check: (entries) => {
      for (const e of entries) {
        const p = paramOf(e.name);
        const dims = p === undefined ? undefined : shapes.get(p);
        if (dims === undefined)
          throw new CheckpointMismatchError(
            `${file}: tensor '${e.name}' is not the moment of a parameter of this model; the checkpoint is damaged or from another run`,
          );
        if (e.dtype !== 'F32' || e.shape.length !== dims.length || e.shape.some((d, i) => d !== dims[i]))
          throw new CheckpointMismatchError(
            `${file}: tensor '${e.name}' is ${e.dtype} [${e.shape.join(', ')}], expected F32 [${dims.join(', ')}]`,
          );
      }
    },
  });
  const m: Params = new Map();
  const v: Params = new Map();
  for (const [k, t] of tensors) (k.startsWith('exp_avg_sq.') ? v : m).set(paramOf(k)!, t);
  for (const name of shapes.keys())
    if (!m.has(name) || !v.has(name))
      throw new CheckpointMismatchError(`${file}: the moments of '${name}' are missing`);
  return { m, v };
}

/** Everything a LoRA checkpoint folder gets. */
export interface LoraCheckpointContents {
  state: TrainerState;
  config: GPTConfig;
  lora: LoraConfig;
  baseDir: string;
  /** A and B by our names. */
  params: Params;
  m: Params;
  v: Params;
  tokenizerDir: string;
}

/** Writes a PEFT adapter folder with the trainer state and moments, atomically. */
export async function writeLoraCheckpoint(target: string, c: LoraCheckpointContents): Promise<void> {
  await saveAdapter(target, {
    lora: c.lora,
    config: c.config,
    params: c.params,
    baseModel: c.baseDir,
    tokenizerDir: c.tokenizerDir,
    extraFiles: {
      [TRAINER_STATE_JSON]: `${JSON.stringify(c.state, null, 2)}\n`,
      [OPTIMIZER_FILE]: encodeMoments(c.state.step, c.m, c.v),
    },
  });
}

/** A LoRA checkpoint read back: adapter, moments, state and the frozen base. */
export interface LoadedLoraCheckpoint extends LoadedTrainerCheckpoint {
  lora: LoraSetup;
}

/** Reads a LoRA run's checkpoint folder and its base (base_model_name_or_path). */
export async function readLoraCheckpoint(dir: string): Promise<LoadedLoraCheckpoint> {
  await recoverDir(dir);
  const statePath = join(dir, TRAINER_STATE_JSON);
  if (!existsSync(statePath))
    throw new CheckpointMismatchError(
      `no checkpoint to resume at ${dir} (missing ${TRAINER_STATE_JSON}); start a new run without \`resume\``,
    );
  const state = parseTrainerState(readFileSync(statePath, 'utf8'), statePath);
  const baseDir = await resolveAdapterBase(dir);
  const base = await loadCheckpoint(baseDir);
  const adapter = await loadAdapter(dir, base.config);
  const config = validateConfig({
    ...base.config,
    blockSize: state.config.block_size,
    dropout: state.config.dropout,
  });
  const { m, v } = await readMoments(dir, loraShapes(config, adapter.lora));
  return {
    state,
    config,
    params: adapter.params,
    m,
    v,
    lora: { config: adapter.lora, base: base.params, baseDir },
  };
}
