// The run folder (`outDir` of train): its layout, its lock, and the checks that run
// before step 1 so that no run ever writes over work it did not create.
//   .spinettai.json       the model package's marker, kind 'run' (written on first use)
//   metrics.jsonl         one line per step (metrics.ts)
//   loss.svg              the loss curves (plot.ts)
//   checkpoints/last      the model package's checkpoint folders (marked 'checkpoint')
//   checkpoints/best
// Beside the folder, `.<name>.lock` holds the pid of the one process training into it.
// Rules: a folder without our marker may hold the user's other files, but none of the
// names above; a folder that holds a run is continued only with `resume` and started
// over only with `overwrite`, which deletes exactly the files listed above.

import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  checkReplaceable,
  type FolderLock,
  lockFolder,
  MARKER_FILE,
  readMarker,
  recoverDir,
  writeMarker,
} from '@spinettai/model/node';
import { RunFolderError } from './errors.js';

/** The paths of a run folder (the one place its layout is defined). */
export interface RunPaths {
  dir: string;
  last: string;
  best: string;
  metrics: string;
  lossCurve: string;
}

/** The layout of run folder `outDir`. */
export function runPaths(outDir: string): RunPaths {
  return {
    dir: outDir,
    last: join(outDir, 'checkpoints', 'last'),
    best: join(outDir, 'checkpoints', 'best'),
    metrics: join(outDir, 'metrics.jsonl'),
    lossCurve: join(outDir, 'loss.svg'),
  };
}

/** How a run treats an existing run in its folder. */
export interface RunFolderMode {
  /** Continue the run in the folder. */
  resume: boolean;
  /** Delete the run in the folder (only files spinettai wrote) and start a new one. */
  overwrite: boolean;
  /** Checkpoint the run starts from (fine-tuning), which overwrite must not delete. */
  initFrom?: string | undefined;
}

/** A locked, vetted run folder; `release()` it when the run ends. */
export interface RunFolder {
  readonly paths: RunPaths;
  release(): Promise<void>;
}

const isInside = (child: string, parent: string): boolean => {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
};

/**
 * Locks `outDir` for this process, repairs checkpoint swaps a killed run left behind,
 * and checks the folder against `mode` before anything is written.
 * @throws RunFolderError (what is there, and which option to use), or the model
 * package's OutputFolderError when another process holds the folder.
 */
export async function openRunFolder(outDir: string, mode: RunFolderMode): Promise<RunFolder> {
  const paths = runPaths(outDir);
  await mkdir(outDir, { recursive: true });
  const lock: FolderLock = await lockFolder(outDir, 'train');
  try {
    await prepare(paths, mode);
  } catch (e) {
    await lock.release();
    throw e;
  }
  return { paths, release: () => lock.release() };
}

async function prepare(paths: RunPaths, mode: RunFolderMode): Promise<void> {
  const outputs = [paths.metrics, paths.lossCurve, join(paths.dir, 'checkpoints')].filter((p) =>
    existsSync(p),
  );
  const names = outputs.map((p) => relative(paths.dir, p)).join(', ');
  if ((await readMarker(paths.dir)) !== 'run') {
    if (mode.resume)
      throw new RunFolderError(
        `no checkpoint to resume at ${paths.dir}: it holds no spinettai run (no ${MARKER_FILE}); start a new run without \`resume\``,
      );
    if (outputs.length > 0)
      throw new RunFolderError(
        `${paths.dir} holds ${names}, which spinettai did not write (no ${MARKER_FILE}); refusing to write over them — choose a new or empty \`outDir\``,
      );
    await writeMarker(paths.dir, 'run');
    return;
  }
  await recoverDir(paths.last);
  await recoverDir(paths.best);
  // A checkpoint folder someone else filled is refused now, not after hours of training.
  for (const dir of [paths.last, paths.best]) await checkReplaceable(dir, 'checkpoint');
  if (mode.resume || outputs.length === 0) return;
  if (!mode.overwrite)
    throw new RunFolderError(
      `${paths.dir} already holds a training run (${names}); use \`resume\` to continue it or \`overwrite\` to replace it`,
    );
  if (mode.initFrom !== undefined && isInside(mode.initFrom, join(paths.dir, 'checkpoints')))
    throw new RunFolderError(
      `\`initFrom\` ${mode.initFrom} is inside the run that \`overwrite\` would delete; copy it elsewhere first or choose another \`outDir\``,
    );
  for (const p of [paths.metrics, paths.lossCurve, paths.last, paths.best])
    await rm(p, { recursive: true, force: true });
}
