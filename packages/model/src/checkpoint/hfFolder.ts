// Checkpoints as Hugging Face GPT-2 folders: config.json, model.safetensors (GPT-2
// names, Conv1D [in, out] layouts, lm_head tied and not stored), tokenizer files
// and generation_config.json. Saving is atomic and deterministic (save → load →
// save gives identical bytes); loading accepts folders written by Python
// transformers and published on the Hub too (readWeights.ts: names with or without
// `transformer.`, attention-mask buffers, a tied lm_head, F16/BF16/F64, shards), with
// or without tokenizer files, and refuses PyTorch pickles.
// Reference: transformers GPT2LMHeadModel.save_pretrained / from_pretrained.

import { copyFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { Tokenizer, TokenizerFileError } from '@spinettai/tokenizer';
import { ConfigError, fromHfConfig, type GPTConfig, toHfConfig } from '../config.js';
import { type Params, paramShapes } from '../params.js';
import { recoverDir, replaceDirAtomic, writeFileSynced } from './atomic.js';
import { CheckpointError } from './errors.js';
import { type CheckpointTokenizerFiles, findTokenizerFiles, readGpt2Weights } from './readWeights.js';
import { writeSafetensorsFile } from './safetensors.js';

/** File names inside a checkpoint folder. */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  weights: 'model.safetensors',
  weightsIndex: 'model.safetensors.index.json',
  generationConfig: 'generation_config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
} as const;

/** Tokenizer files copied from `tokenizerDir` when present (tokenizer.json is required). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  readonly config: GPTConfig;
  /** Weights by Hugging Face name (see `paramShapes`); float64 tensors are stored as F32. */
  readonly params: Params;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  /** Folder holding tokenizer.json (and tokenizer_config.json, special_tokens_map.json) to copy. */
  readonly tokenizerDir?: string;
  /** Extra generation_config.json fields (bos/eos ids are always written). */
  readonly generationConfig?: Readonly<Record<string, unknown>>;
  /** More files written in the same atomic swap, e.g. trainer_state.json, optimizer.safetensors. */
  readonly extraFiles?: Readonly<Record<string, Uint8Array | string>>;
}

/** What `loadCheckpoint` returns. */
export interface LoadedCheckpoint {
  readonly config: GPTConfig;
  /** float32 weights by Hugging Face name with the `transformer.` prefix. */
  readonly params: Params;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  /** generation_config.json as stored, when present. */
  readonly generationConfig: Record<string, unknown> | undefined;
  /** The tokenizer files in the folder; a Hub folder may have none of ours (tokenizer files are optional). */
  readonly tokenizer: CheckpointTokenizerFiles;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

function checkParams(config: GPTConfig, params: Params): [string, TensorData][] {
  const shapes = paramShapes(config);
  for (const name of params.keys())
    if (!shapes.has(name))
      throw new CheckpointError('is not a GPT-2 parameter of this config; remove it', { tensor: name });
  return [...shapes].map(([name, dims]) => {
    const t = params.get(name);
    if (t === undefined) throw new CheckpointError('is missing from the params to save', { tensor: name });
    if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i]))
      throw new CheckpointError(`has shape [${t.dims.join(', ')}], the config expects [${dims.join(', ')}]`, {
        tensor: name,
      });
    if (t.dtype === 'float32') return [name, t];
    if (t.dtype === 'float64')
      return [name, { dtype: 'float32', dims: t.dims, data: Float32Array.from(t.data as Float64Array) }];
    throw new CheckpointError(`has dtype ${t.dtype}; parameters must be float32`, { tensor: name });
  });
}

/** The tokenizer to copy must load and cover exactly the model's vocabulary. */
async function checkTokenizer(dir: string, config: GPTConfig): Promise<void> {
  const file = join(dir, 'tokenizer.json');
  if (
    !(await stat(file).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    throw new CheckpointError('has no tokenizer.json; pass the folder holding the trained tokenizer', {
      file: dir,
    });
  let vocabSize: number;
  try {
    const configText = await readFile(join(dir, 'tokenizer_config.json'), 'utf8').catch(() => undefined);
    vocabSize = Tokenizer.fromStrings(await readFile(file, 'utf8'), configText).vocabSize;
  } catch (e) {
    if (e instanceof TokenizerFileError) throw new CheckpointError(e.message, { file });
    throw e;
  }
  if (vocabSize !== config.vocabSize)
    throw new CheckpointError(
      `has ${vocabSize} token ids but the model's vocabSize is ${config.vocabSize}; save with the tokenizer the model was trained with`,
      { file },
    );
}

function checkFileName(name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..')
    throw new CheckpointError(`extra file name '${name}' must be a plain file name`);
}

/**
 * Writes a complete Hugging Face GPT-2 folder at `dir`, replacing an earlier checkpoint
 * there atomically. Refuses (OutputFolderError) to replace a non-empty folder that is
 * not a checkpoint this tool wrote (its MARKER_FILE says 'checkpoint').
 *
 * @example
 * ```ts
 * import { initParams, validateConfig } from '@spinettai/model';
 * import { saveCheckpoint } from '@spinettai/model/node';
 *
 * const config = validateConfig({ vocabSize: 300, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 64 });
 * await saveCheckpoint('runs/a/checkpoint', {
 *   config,
 *   params: initParams(config, 1337),
 *   bosTokenId: 0,
 *   eosTokenId: 0,
 *   tokenizerDir: 'data/lyrics', // a folder holding tokenizer.json
 * });
 * ```
 */
export async function saveCheckpoint(dir: string, opts: SaveCheckpointOptions): Promise<void> {
  const tensors = checkParams(opts.config, opts.params);
  for (const name of Object.keys(opts.extraFiles ?? {})) checkFileName(name);
  if (opts.tokenizerDir !== undefined) await checkTokenizer(opts.tokenizerDir, opts.config);
  const generation = {
    bos_token_id: opts.bosTokenId,
    eos_token_id: opts.eosTokenId,
    ...opts.generationConfig,
  };
  generation.bos_token_id = opts.bosTokenId;
  generation.eos_token_id = opts.eosTokenId;
  await replaceDirAtomic(dir, 'checkpoint', async (tmp) => {
    await writeFileSynced(join(tmp, CHECKPOINT_FILES.config), json(toHfConfig(opts.config, opts)));
    await writeSafetensorsFile(join(tmp, CHECKPOINT_FILES.weights), tensors, { format: 'pt' });
    await writeFileSynced(join(tmp, CHECKPOINT_FILES.generationConfig), json(generation));
    await writeCompanionFiles(tmp, opts.tokenizerDir, opts.extraFiles);
  });
}

/**
 * Inside a folder being built: copies the tokenizer files found in `tokenizerDir` and
 * writes `extraFiles` (trainer state, optimizer state…). Shared by checkpoints and adapters.
 */
export async function writeCompanionFiles(
  tmp: string,
  tokenizerDir: string | undefined,
  extraFiles: Readonly<Record<string, Uint8Array | string>> | undefined,
): Promise<void> {
  if (tokenizerDir !== undefined)
    for (const f of TOKENIZER_FILES) {
      const from = join(tokenizerDir, f);
      if (
        await stat(from).then(
          () => true,
          () => false,
        )
      )
        await copyFile(from, join(tmp, f));
    }
  for (const [name, data] of Object.entries(extraFiles ?? {})) await writeFileSynced(join(tmp, name), data);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(
      code === 'EISDIR'
        ? 'is a folder, not a JSON file; remove or rename it'
        : `cannot read (${code ?? (e as Error).message})`,
      { file: path },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`is not valid JSON: ${(e as Error).message}`, { file: path });
  }
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Loads any Hugging Face GPT-2 folder (config.json + safetensors weights) as float32
 * params, after repairing a save that a killed process left between its renames.
 * A missing folder or file is a CheckpointError naming it.
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from '@spinettai/model/node';
 *
 * const { config, params, eosTokenId } = await loadCheckpoint('runs/a/checkpoint');
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  await recoverDir(dir);
  const configPath = join(dir, CHECKPOINT_FILES.config);
  const hf = await readJson(configPath);
  let config: GPTConfig;
  try {
    config = fromHfConfig(hf);
  } catch (e) {
    if (e instanceof ConfigError)
      throw new CheckpointError(e.message.replace(/^config\.json /, ''), {
        file: configPath,
        field: e.field,
      });
    throw e;
  }
  const params = await readGpt2Weights(dir, config, readJson);
  const genPath = join(dir, CHECKPOINT_FILES.generationConfig);
  const generation = (await exists(genPath)) ? await readJson(genPath) : undefined;
  if (
    generation !== undefined &&
    (typeof generation !== 'object' || generation === null || Array.isArray(generation))
  )
    throw new CheckpointError('must hold a JSON object', { file: genPath });
  const generationConfig = generation as Record<string, unknown> | undefined;
  const id = (k: string): number | undefined => {
    const v = (hf as Record<string, unknown>)[k] ?? generationConfig?.[k];
    return typeof v === 'number' ? v : undefined;
  };
  return {
    config,
    params,
    bosTokenId: id('bos_token_id'),
    eosTokenId: id('eos_token_id'),
    generationConfig,
    tokenizer: await findTokenizerFiles(dir),
  };
}
