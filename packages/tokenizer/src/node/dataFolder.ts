// The data folder (tokenizer.json, tokenizer_config.json, train.bin, val.bin, meta.json)
// is written as one unit: built in `.<name>.tmp-<pid>-<hex>` beside it, renamed to
// `.<name>.new-…` once complete, then swapped in (old folder to `.<name>.old-…`, new to
// `<name>`), under a lock file `.<name>.lock` holding the writer's pid. A kill at any
// moment leaves the old folder or the new one: `recoverDir` (run before every
// write and read) finishes a complete swap or restores the old folder, and deletes the
// leftovers. Only an empty folder, one marked by spinettai (`.spinettai.json`, kind
// 'data') or an unmarked one holding nothing but a dataset's own files is replaced.
//
// The swap, its recovery and the lock are outputFolder.ts's, shared with checkpoints,
// exports and runs; what is particular to a data folder is which folders may be replaced.

import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DatasetError } from '../errors.js';
import {
  lockFolder,
  MARKER_FILE,
  readMarker,
  recoverDir,
  swapDirIn,
  writeFileSynced,
} from './outputFolder.js';

/** The files a data folder holds (an unmarked folder with only these may be replaced). */
const DATA_FILES = new Set([
  'tokenizer.json',
  'tokenizer_config.json',
  'train.bin',
  'val.bin',
  'meta.json',
  MARKER_FILE,
]);

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

async function checkReplaceable(dir: string, overwrite: boolean): Promise<void> {
  if (!(await exists(dir))) return;
  if (!(await stat(dir)).isDirectory())
    throw new DatasetError(
      dir,
      `${dir} exists and is not a folder; choose another \`outDir\`.`,
      'option',
      'outDir',
    );
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  const kind = await readMarker(dir);
  const ours = kind === 'data' || (!entries.includes(MARKER_FILE) && entries.every((e) => DATA_FILES.has(e))); // or written before markers
  if (ours && overwrite) return;
  if (ours)
    throw new DatasetError(
      dir,
      `${dir} holds an earlier data folder; use \`overwrite\` to replace it, or choose another \`outDir\`.`,
      'option',
      'overwrite',
    );
  throw new DatasetError(
    dir,
    `${dir} holds files spinettai did not write as a data folder (${
      entries
        .filter((e) => !DATA_FILES.has(e))
        .slice(0, 3)
        .join(', ') || MARKER_FILE
    }); refusing to replace it — choose a new or empty \`outDir\`.`,
    'option',
    'outDir',
  );
}

/** One file of the data folder, by name. */
export interface DataFile {
  readonly name: string;
  readonly data: string | Uint8Array;
}

/** A locked, vetted data folder; `release()` it when done. */
export interface DataFolder {
  /** Replaces the folder with exactly `files` (plus the marker), as one unit. */
  write(files: readonly DataFile[]): Promise<void>;
  release(): Promise<void>;
}

/**
 * Locks data folder `dir` for this process, repairs a swap a killed writer left, and
 * checks that the folder may be replaced — before any long work starts. An earlier
 * data folder is replaced only with `overwrite`.
 * @throws DatasetError (option outDir or overwrite) when another process holds it, it
 * holds files this tool did not write, or it holds a data folder and `overwrite` is
 * false; nothing is written then.
 */
export async function openDataFolder(folder: string, overwrite: boolean): Promise<DataFolder> {
  const dir = resolve(folder); // `.` has no name to put the temp folders and the lock beside
  await mkdir(dirname(dir), { recursive: true });
  const { release } = await lockFolder(
    dir,
    'tokenize',
    (message) => new DatasetError(dir, `${dir} ${message}.`, 'option', 'outDir'),
  );
  try {
    await recoverDir(dir);
    await checkReplaceable(dir, overwrite);
  } catch (e) {
    await release();
    throw e;
  }
  return { write: (files) => swapIn(dir, files), release };
}

function swapIn(dir: string, files: readonly DataFile[]): Promise<void> {
  return swapDirIn(dir, 'data', async (tmp) => {
    for (const f of files) await writeFileSynced(join(tmp, f.name), f.data);
  });
}
