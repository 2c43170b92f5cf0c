// trainer_state.json: reading and checking it field by field, so a hand-edited or corrupt
// file (garbage, `null`, a step of 1e12) is refused with one line naming the file and the
// field, instead of crashing later or printing nonsense. The type lives in checkpoint.ts.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainerState } from './checkpoint.js';
import { CheckpointMismatchError } from './errors.js';

/** File name of the trainer state inside a checkpoint folder. */
export const TRAINER_STATE_JSON = 'trainer_state.json';

/** More optimizer steps than any run of this trainer could have made (a typo or corruption guard). */
export const MAX_STEPS = 1e9;

const isUint = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses the text of a trainer_state.json and checks every field.
 * @throws CheckpointMismatchError naming `path` and the first bad field.
 */
export function parseTrainerState(text: string, path: string): TrainerState {
  let s: unknown;
  try {
    s = JSON.parse(text);
  } catch (e) {
    throw new CheckpointMismatchError(
      `${path} is not valid JSON (${(e as Error).message}); the checkpoint is damaged: resume from another checkpoint or start a new run`,
    );
  }
  const bad = (field: string, why = 'is missing or invalid'): never => {
    throw new CheckpointMismatchError(
      `${path}: field "${field}" ${why}; the checkpoint is damaged: resume from another checkpoint or start a new run`,
    );
  };
  if (!isObject(s)) return bad('(root)', 'is not an object');
  if (s['format'] !== 'spinettai-trainer-state')
    throw new CheckpointMismatchError(
      `${path} is not a SpinettAI trainer state (format is not "spinettai-trainer-state")`,
    );
  if (s['version'] !== 1) bad('version', 'is not 1');
  if (!isUint(s['step'], MAX_STEPS)) bad('step', `is not a whole number of steps in [0, ${MAX_STEPS}]`);
  const step = s['step'] as number;
  const config = s['config'];
  if (!isObject(config)) bad('config');
  for (const k of ['vocab_size', 'block_size', 'n_layer', 'n_head', 'n_embd'])
    if (!isUint((config as Record<string, unknown>)[k]) || (config as Record<string, number>)[k] === 0)
      bad(`config.${k}`);
  if (!isObject(s['train_options'])) bad('train_options');
  const planned = (s['train_options'] as Record<string, unknown>)['steps'];
  if (planned !== undefined && (!isUint(planned, MAX_STEPS) || step > planned))
    bad('step', `(${step}) is beyond the run's train_options.steps (${String(planned)})`);
  const rng = s['rng'];
  if (!isObject(rng)) return bad('rng');
  const sampler = rng['sampler'];
  if (!Array.isArray(sampler) || sampler.length !== 4 || !sampler.every((w) => isUint(w, 0xffffffff)))
    bad('rng.sampler', 'is not four 32-bit words');
  if (!isUint(rng['windows_drawn'])) bad('rng.windows_drawn');
  if (typeof s['tokenizer_sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(s['tokenizer_sha256']))
    bad('tokenizer_sha256');
  const best = s['best_val_loss'];
  if (best !== null && (typeof best !== 'number' || !Number.isFinite(best))) bad('best_val_loss');
  const bestStep = s['best_step'];
  if (bestStep !== null && !isUint(bestStep, step)) bad('best_step', 'is not a step ≤ step');
  if (!isUint(s['dropout_seed'], 0x7fffffff)) bad('dropout_seed');
  const elapsed = s['elapsed_s'];
  if (typeof elapsed !== 'number' || !Number.isFinite(elapsed) || elapsed < 0) bad('elapsed_s');
  if (typeof s['optimizer_mode'] !== 'string') bad('optimizer_mode');
  return s as unknown as TrainerState;
}

/**
 * Reads and checks `dir/trainer_state.json` (without loading any weights).
 * @throws CheckpointMismatchError when it is missing, unreadable or damaged.
 */
export async function readTrainerState(dir: string): Promise<TrainerState> {
  const path = join(dir, TRAINER_STATE_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CheckpointMismatchError(
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ${dir} is not a trainer checkpoint`,
    );
  }
  return parseTrainerState(text, path);
}
