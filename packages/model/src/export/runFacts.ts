// Facts about how a checkpoint was trained, for an export's config.json (`spinettai`
// section), which the lyrics page shows under "About the model": the best validation
// loss and step count from trainer_state.json, the training songs from the data folder's
// meta.json. Both files are optional; anything unreadable is left out, never fatal.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDatasetMeta } from '@spinettai/tokenizer/node';

/** The `spinettai` section of an export's config.json. */
export interface RunFacts {
  best_val_loss?: number;
  steps?: number;
  train_songs?: number;
}

/** Reads what the checkpoint folder says about its training run (empty for a Hub model). */
export async function runFacts(checkpointDir: string): Promise<RunFacts> {
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(await readFile(join(checkpointDir, 'trainer_state.json'), 'utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
  const facts: RunFacts = {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const best = num(state['best_val_loss']);
  if (best !== undefined) facts.best_val_loss = best;
  const steps = num(state['step']);
  if (steps !== undefined) facts.steps = steps;
  const options = state['train_options'];
  const dataDir =
    typeof options === 'object' && options !== null
      ? (options as Record<string, unknown>)['data_dir']
      : undefined;
  if (typeof dataDir === 'string') {
    try {
      facts.train_songs = (await readDatasetMeta(dataDir)).splits.train.songs;
    } catch {
      // the data folder moved or is gone: the export does without the count
    }
  }
  return facts;
}
