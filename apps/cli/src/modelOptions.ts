// The model-shape flags shared by `train` and `bench`; their defaults are the trainer's
// (TRAIN_DEFAULTS.model), shown in --help.
import { TRAIN_DEFAULTS } from '@spinettai/trainer';
import type { Command } from 'commander';
import { positiveInt } from './options.js';

/** The model size `spinettai train` and `spinettai bench` use when no flag says otherwise. */
export const DEFAULT_MODEL = TRAIN_DEFAULTS.model;

/** Adds --layers, --embd, --heads and --block to a command. */
export function addModelOptions(command: Command): Command {
  return command
    .option('--layers <n>', 'transformer blocks', positiveInt, DEFAULT_MODEL.nLayer)
    .option('--embd <n>', 'embedding width (must be divisible by --heads)', positiveInt, DEFAULT_MODEL.nEmbd)
    .option('--heads <n>', 'attention heads', positiveInt, DEFAULT_MODEL.nHead)
    .option('--block <n>', 'context length in tokens', positiveInt, DEFAULT_MODEL.blockSize);
}
