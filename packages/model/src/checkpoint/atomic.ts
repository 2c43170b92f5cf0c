// How checkpoint, export and run folders are replaced. The on-disk conventions
// themselves — durable writes, the marker file, the three-rename folder swap and its
// recovery, the folder lock — are owned by @spinettai/tokenizer/node (outputFolder.ts),
// which data folders use too; this module re-exports them and adds the model's rule for
// what may be replaced, with its own error type.
// Never destroy what we didn't write: only an empty folder or one whose marker names the
// same kind is replaced.

import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MARKER_FILE, type OutputKind, readMarker, recoverDir, swapDirIn } from '@spinettai/tokenizer/node';
import { CheckpointError } from './errors.js';

export {
  MARKER_FILE,
  type OutputKind,
  pidAlive,
  readMarker,
  recoverDir,
  syncDir,
  writeFileAtomic,
  writeFileSynced,
  writeMarker,
} from '@spinettai/tokenizer/node';

/** A folder this tool refuses to touch: not written by it, of another kind, or in use. */
export class OutputFolderError extends CheckpointError {
  override readonly name: string = 'OutputFolderError';
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Throws unless `target` is missing, an empty folder, or a folder whose marker says
 * `kind` — and then only with `overwrite` (default true: checkpoints are replaced at
 * every save; a command's output folder passes the user's choice). The message names
 * the folder and what to do.
 */
export async function checkReplaceable(target: string, kind: OutputKind, overwrite = true): Promise<void> {
  if (!(await exists(target))) return;
  if (!(await stat(target)).isDirectory())
    throw new OutputFolderError('exists and is not a folder; choose another path', { file: target });
  if ((await readdir(target)).length === 0) return;
  const found = await readMarker(target);
  if (found === kind && overwrite) return;
  if (found === kind)
    throw new OutputFolderError(
      `holds an earlier spinettai ${kind}; use \`overwrite\` to replace it, or choose another folder`,
      { file: target },
    );
  throw new OutputFolderError(
    found === undefined
      ? `is a non-empty folder that spinettai did not write (no ${MARKER_FILE}); refusing to replace it — choose a new or empty folder, or move it away yourself`
      : `is a spinettai ${found} folder, not the ${kind} folder expected here; refusing to replace it — choose another folder`,
    { file: target },
  );
}

/**
 * Replaces folder `target` with one built by `build(tmpDir)`, marked as `kind`. An
 * existing target must be empty or carry the same marker (else OutputFolderError,
 * before anything is written). On failure the temp folder is removed and the target
 * is untouched; after a kill, `recoverDir` (run here first) repairs it.
 */
export async function replaceDirAtomic(
  target: string,
  kind: OutputKind,
  build: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const abs = resolve(target); // `.` has no name to put the temp folders beside
  const parent = dirname(abs);
  await mkdir(parent, { recursive: true });
  await recoverDir(abs);
  await checkReplaceable(abs, kind);
  await swapDirIn(abs, kind, build);
}
