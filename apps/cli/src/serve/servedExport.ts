// What `serve` serves: an export folder as it is, or — for a checkpoint folder — an
// export written for this session into a temp folder (removed when the server stops).

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { exportOnnx } from '@spinettai/model/node';

/** The export folder to serve and the model's name. */
export interface ServedExport {
  dir: string;
  modelId: string;
  cleanup(): Promise<void>;
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** An export folder for `model` (an export or a checkpoint folder). */
export async function servedExport(model: string): Promise<ServedExport> {
  const dir = resolve(model);
  // runs/demo/export → "demo"; runs/demo/checkpoints/best → "demo-best"; other folders by name.
  const parts = dir.split(/[\\/]/).filter(Boolean);
  const name = basename(dir);
  const modelId =
    name === 'export' && parts.length > 1
      ? parts[parts.length - 2]!
      : parts[parts.length - 2] === 'checkpoints' && parts.length > 2
        ? `${parts[parts.length - 3]}-${name}`
        : name;
  if (await isFile(join(dir, 'onnx', 'model.onnx'))) return { dir, modelId, cleanup: async () => {} };
  const tmp = await mkdtemp(join(tmpdir(), 'spinettai-serve-'));
  const out = join(tmp, 'export');
  try {
    await exportOnnx(dir, out);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir: out, modelId, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}
