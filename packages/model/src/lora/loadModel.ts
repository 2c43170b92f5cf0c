// One reader for "a model folder": a GPT-2 checkpoint (ours or a Hub folder), or a PEFT
// LoRA adapter folder plus its base checkpoint, merged (W + (B·A)ᵀ·α/r) so that callers —
// generation, export, info — see plain GPT-2 weights and need no knowledge of LoRA.
// The base is `opts.base` when given, else the adapter's base_model_name_or_path.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../checkpoint/errors.js';
import { type LoadedCheckpoint, loadCheckpoint } from '../checkpoint/hfFolder.js';
import { findTokenizerFiles } from '../checkpoint/readWeights.js';
import { ADAPTER_FILES, isAdapterFolder, type LoadedAdapter, loadAdapter } from './adapterFolder.js';
import { mergeLora } from './params.js';

/** Options of `loadModelWeights`. */
export interface LoadModelWeightsOptions {
  /** The base model folder of an adapter (default: its base_model_name_or_path). */
  base?: string | undefined;
}

/** A model folder's weights, with an adapter already merged in. */
export interface LoadedModelWeights extends LoadedCheckpoint {
  /** The folder holding config.json (the base, for an adapter). */
  readonly modelDir: string;
  /** The folder whose tokenizer files belong to the model (the adapter's when it has them). */
  readonly tokenizerDir: string;
  /** The adapter that was merged, and its folder; undefined for a plain checkpoint. */
  readonly adapter: (LoadedAdapter & { readonly dir: string }) | undefined;
}

const KEYS = new Set(['base']);

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

/** base_model_name_or_path of an adapter folder, as stored (undefined when empty). */
export async function readAdapterBase(dir: string): Promise<string | undefined> {
  const file = join(dir, ADAPTER_FILES.config);
  let c: unknown;
  try {
    c = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`cannot read the adapter config (${(e as Error).message})`, { file });
  }
  const b = (c as Record<string, unknown> | null)?.['base_model_name_or_path'];
  return typeof b === 'string' && b !== '' ? b : undefined;
}

/**
 * The base folder of the adapter at `dir`: `base` when given, else base_model_name_or_path
 * (a path, absolute or relative to the working directory). A Hub id or a missing folder is
 * refused with a message saying to download the base and pass it as `base` (--base).
 */
export async function resolveAdapterBase(dir: string, base?: string): Promise<string> {
  const stored = await readAdapterBase(dir);
  const chosen = base ?? stored;
  if (chosen === undefined)
    throw new CheckpointError(
      'names no base model (base_model_name_or_path is empty); pass the base model folder with --base',
      { file: join(dir, ADAPTER_FILES.config), field: 'base_model_name_or_path' },
    );
  const path = resolve(chosen);
  if (!(await isDir(path)))
    throw new CheckpointError(
      base !== undefined
        ? `the base model folder ${chosen} (--base) does not exist`
        : `its base model '${chosen}' (base_model_name_or_path) is not a folder on this machine; download it (see the README, "Fine-tune a pretrained model") and pass it with --base <folder>`,
      { file: join(dir, ADAPTER_FILES.config), field: 'base_model_name_or_path' },
    );
  return path;
}

/**
 * Loads a checkpoint folder, or an adapter folder merged into its base. Throws
 * CheckpointError (with the file and field) for unreadable folders or a missing base.
 *
 * @example
 * const { config, params, adapter } = await loadModelWeights('runs/lora/checkpoints/best');
 */
export async function loadModelWeights(
  dir: string,
  opts: LoadModelWeightsOptions = {},
): Promise<LoadedModelWeights> {
  for (const k of Object.keys(opts))
    if (!KEYS.has(k)) throw new CheckpointError(`loadModelWeights: unknown option '${k}'; known: base`);
  if (!(await isAdapterFolder(dir))) {
    const ck = await loadCheckpoint(dir);
    return { ...ck, modelDir: dir, tokenizerDir: dir, adapter: undefined };
  }
  const baseDir = await resolveAdapterBase(dir, opts.base);
  const base = await loadCheckpoint(baseDir);
  const adapter = await loadAdapter(dir, base.config);
  const own = await findTokenizerFiles(dir);
  return {
    ...base,
    params: mergeLora(base.params, adapter.params, base.config, adapter.lora),
    tokenizer: own.format !== undefined ? own : base.tokenizer,
    modelDir: baseDir,
    tokenizerDir: own.format !== undefined ? dir : baseDir,
    adapter: { ...adapter, dir },
  };
}
