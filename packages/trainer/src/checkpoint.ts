// Trainer checkpoints: the model package's Hugging Face GPT-2 folder plus
//   trainer_state.json     step, config, train options, RNG state, data position,
//                          tokenizer sha256, best validation loss, dropout seed
//   optimizer.safetensors  AdamW moments (exp_avg.<name>, exp_avg_sq.<name>), float32
// The model package's saveCheckpoint writes all files in a temporary sibling folder and
// swaps it in with renames, so checkpoints/last and checkpoints/best are never half-written.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { type GPTConfig, type Params, paramShapes } from '@spinettai/model';
import { loadCheckpoint, recoverDir, saveCheckpoint } from '@spinettai/model/node';
import { CheckpointMismatchError } from './errors.js';
import { encodeMoments, OPTIMIZER_FILE, readMoments } from './lora.js';
import { parseTrainerState } from './trainerState.js';

/** trainer_state.json (snake_case on disk). */
export interface TrainerState {
  format: 'spinettai-trainer-state';
  version: 1;
  /** Optimizer steps completed. */
  step: number;
  /** The model shape (snake_case; config.json in the same folder is authoritative). */
  config: {
    vocab_size: number;
    block_size: number;
    n_layer: number;
    n_head: number;
    n_embd: number;
    dropout: number;
    layer_norm_eps: number;
  };
  train_options: Record<string, unknown>;
  /** Batch sampler RNG (four uint32 words) and windows drawn so far (data position). */
  rng: { sampler: number[]; windows_drawn: number };
  tokenizer_sha256: string;
  best_val_loss: number | null;
  best_step: number | null;
  /** Seed of the dropout RNG of the sessions that run from this step on. */
  dropout_seed: number;
  /** Training wall-clock seconds up to this checkpoint (summed over resumed runs). */
  elapsed_s: number;
  optimizer_mode: string;
}

/** What gets written into one checkpoint folder. */
export interface CheckpointContents {
  state: TrainerState;
  config: GPTConfig;
  params: Params;
  m: Map<string, TensorData>;
  v: Map<string, TensorData>;
  tokenizerDir: string;
  eotTokenId: number;
}

/** The snake_case config record of trainer_state.json. */
export function stateConfig(c: GPTConfig): TrainerState['config'] {
  return {
    vocab_size: c.vocabSize,
    block_size: c.blockSize,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_embd: c.nEmbd,
    dropout: c.dropout,
    layer_norm_eps: c.layerNormEps,
  };
}

/**
 * Writes a complete checkpoint folder at `target`: the model package writes the HF folder
 * plus our two files in a temp folder and swaps it in atomically.
 */
export async function writeCheckpoint(target: string, c: CheckpointContents): Promise<void> {
  await saveCheckpoint(target, {
    config: c.config,
    params: c.params,
    tokenizerDir: c.tokenizerDir,
    bosTokenId: c.eotTokenId,
    eosTokenId: c.eotTokenId,
    extraFiles: {
      'trainer_state.json': `${JSON.stringify(c.state, null, 2)}\n`,
      [OPTIMIZER_FILE]: encodeMoments(c.state.step, c.m, c.v),
    },
  });
}

/** A checkpoint read back: model weights, moments and trainer state. */
export interface LoadedTrainerCheckpoint {
  state: TrainerState;
  config: GPTConfig;
  params: Params;
  m: Map<string, TensorData>;
  v: Map<string, TensorData>;
}

/** Reads a trainer checkpoint folder (after undoing an interrupted swap). */
export async function readTrainerCheckpoint(dir: string): Promise<LoadedTrainerCheckpoint> {
  await recoverDir(dir); // the model package's repair of a swap cut short by a kill
  const statePath = join(dir, 'trainer_state.json');
  if (!existsSync(statePath))
    throw new CheckpointMismatchError(
      `no checkpoint to resume at ${dir} (missing trainer_state.json); start a new run without \`resume\``,
    );
  const state = parseTrainerState(readFileSync(statePath, 'utf8'), statePath);
  const model = await loadCheckpoint(dir);
  // Every moment must belong to a parameter of this model, with its shape.
  const { m, v } = await readMoments(dir, paramShapes(model.config));
  return { state, config: model.config, params: model.params, m, v };
}
