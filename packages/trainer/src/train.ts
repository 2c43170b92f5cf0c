// `train`: checks the options and the data folder, opens a TrainRun, runs it to the end
// (all steps, the time budget or the abort signal) and frees its sessions. Quiet except
// through hooks. The loop itself and its state live in run.ts.

import { loadDataset } from './data.js';
import {
  checkHooks,
  resolveOptions,
  type TrainHooks,
  type TrainOptions,
  type TrainSummary,
} from './options.js';
import { TrainRun } from './run.js';
import { openRunFolder } from './runFolder.js';

/**
 * Trains a GPT-2 on a tokenized dataset and writes metrics.jsonl, loss.svg and
 * checkpoints/{last,best} in `outDir`. Resolves with a summary; rejects with a typed error:
 * TrainOptionsError (a bad or unknown option), DatasetError from @spinettai/tokenizer (the
 * data folder), CheckpointMismatchError (resume / initFrom), RunFolderError (`outDir` holds a
 * run or files spinettai did not write), the model package's OutputFolderError (another
 * process trains into `outDir`), NonFiniteLossError.
 *
 * @example
 * const summary = await train({ dataDir: 'data', outDir: 'runs/a', steps: 200, dropout: 0.2 });
 * console.log(summary.bestValLoss, summary.bestCheckpoint);
 */
export async function train(options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainSummary> {
  const t0 = performance.now();
  const o = resolveOptions(options);
  checkHooks(hooks);
  const data = await loadDataset(o.dataDir);
  // Locked and checked before step 1: never two writers, never over work we did not write.
  const folder = await openRunFolder(o.outDir, o);
  try {
    const run = await TrainRun.open(o, hooks, data, t0);
    try {
      return await run.run();
    } finally {
      await run.release();
    }
  } finally {
    await folder.release();
  }
}
