// Where the CLI finds the training lyrics for the copied-lyrics guard and the copy
// metrics: `--corpus`, else the data folder the trainer recorded in the checkpoint's
// trainer_state.json (train_options.data_dir), when it still holds a dataset.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTrainerState, TRAINER_STATE_JSON } from '@spinettai/trainer';

/** The data folder a checkpoint was trained on, or undefined (an export, an old checkpoint, a moved folder). */
export async function recordedDataDir(modelDir: string): Promise<string | undefined> {
  if (!existsSync(join(modelDir, TRAINER_STATE_JSON))) return undefined;
  const dir = (await readTrainerState(modelDir)).train_options['data_dir'];
  return typeof dir === 'string' && existsSync(join(dir, 'meta.json')) ? dir : undefined;
}

/** `--corpus`, or the checkpoint's recorded data folder, or undefined. */
export async function corpusFor(modelDir: string, corpus: string | undefined): Promise<string | undefined> {
  return corpus ?? (await recordedDataDir(modelDir));
}
