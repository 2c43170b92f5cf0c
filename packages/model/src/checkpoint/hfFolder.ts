// Checkpoints as Hugging Face GPT-2 folders: config.json, model.safetensors (GPT-2
// names, Conv1D [in, out] layouts, lm_head tied and not stored), tokenizer files
// and generation_config.json. Saving is atomic and deterministic (save → load →
// save gives identical bytes); loading accepts folders written by Python
// transformers too (names with or without `transformer.`, ignored attention-mask
// buffers and lm_head, F16/BF16/F64 weights, sharded safetensors).
// Reference: transformers GPT2LMHeadModel.save_pretrained / from_pretrained.

import { copyFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { ConfigError, fromHfConfig, type GPTConfig, toHfConfig } from '../config.js';
import { type Params, paramShapes } from '../params.js';
import { replaceDirAtomic, writeFileSynced } from './atomic.js';
import { CheckpointError } from './errors.js';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors.js';

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

function checkFileName(name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..')
    throw new CheckpointError(`extra file name '${name}' must be a plain file name`);
}

/**
 * Writes a complete Hugging Face GPT-2 folder at `dir`, replacing an earlier checkpoint
 * there atomically. Refuses to replace a non-empty folder that is not a checkpoint.
 */
export async function saveCheckpoint(dir: string, opts: SaveCheckpointOptions): Promise<void> {
  const tensors = checkParams(opts.config, opts.params);
  for (const name of Object.keys(opts.extraFiles ?? {})) checkFileName(name);
  if (opts.tokenizerDir !== undefined) {
    try {
      await stat(join(opts.tokenizerDir, 'tokenizer.json'));
    } catch {
      throw new CheckpointError('tokenizer.json not found; pass the folder holding the trained tokenizer', {
        file: opts.tokenizerDir,
      });
    }
  }
  const generation = {
    bos_token_id: opts.bosTokenId,
    eos_token_id: opts.eosTokenId,
    ...opts.generationConfig,
  };
  generation.bos_token_id = opts.bosTokenId;
  generation.eos_token_id = opts.eosTokenId;
  await replaceDirAtomic(
    dir,
    async (tmp) => {
      await writeFileSynced(join(tmp, CHECKPOINT_FILES.config), json(toHfConfig(opts.config, opts)));
      await writeSafetensorsFile(join(tmp, CHECKPOINT_FILES.weights), tensors, { format: 'pt' });
      await writeFileSynced(join(tmp, CHECKPOINT_FILES.generationConfig), json(generation));
      if (opts.tokenizerDir !== undefined) {
        for (const f of TOKENIZER_FILES) {
          const from = join(opts.tokenizerDir, f);
          if (
            await stat(from).then(
              () => true,
              () => false,
            )
          )
            await copyFile(from, join(tmp, f));
        }
      }
      for (const [name, data] of Object.entries(opts.extraFiles ?? {}))
        await writeFileSynced(join(tmp, name), data);
    },
    (existing, entries) => {
      if (entries.length > 0 && !entries.includes(CHECKPOINT_FILES.config))
        throw new CheckpointError(
          'is a non-empty folder without config.json; refusing to replace it — choose a new or empty folder',
          { file: existing },
        );
    },
  );
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CheckpointError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: path,
    });
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

/** The weight files of a folder: model.safetensors, or the shards named by its index. */
async function weightFiles(dir: string): Promise<string[]> {
  if (await exists(join(dir, CHECKPOINT_FILES.weights))) return [join(dir, CHECKPOINT_FILES.weights)];
  const indexPath = join(dir, CHECKPOINT_FILES.weightsIndex);
  if (await exists(indexPath)) {
    const index = await readJson(indexPath);
    const map = (index as { weight_map?: unknown } | null)?.weight_map;
    if (typeof map !== 'object' || map === null)
      throw new CheckpointError('has no weight_map object', { file: indexPath });
    const files = [...new Set(Object.values(map))];
    for (const f of files)
      if (typeof f !== 'string' || !/^[\w.-]+\.safetensors$/.test(f) || f.startsWith('.'))
        throw new CheckpointError(`names an invalid shard '${String(f)}'`, { file: indexPath });
    return (files as string[]).sort().map((f) => join(dir, f));
  }
  if (await exists(join(dir, 'pytorch_model.bin')))
    throw new CheckpointError(
      'only pytorch_model.bin found; PyTorch pickles are not read — re-save with save_pretrained(dir, safe_serialization=True)',
      { file: dir },
    );
  throw new CheckpointError('no model.safetensors; not a checkpoint folder', { file: dir });
}

/** Non-parameter tensors a transformers GPT-2 file may hold: the tied head and attention-mask buffers. */
const IGNORED = /^(lm_head\.weight|h\.\d+\.attn\.(bias|masked_bias))$/;

/** Loads any Hugging Face GPT-2 folder (config.json + safetensors weights) as float32 params. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const configPath = join(dir, CHECKPOINT_FILES.config);
  const hf = await readJson(configPath);
  let config: GPTConfig;
  try {
    config = fromHfConfig(hf);
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(e.message, { file: configPath });
    throw e;
  }
  const shapes = paramShapes(config);
  const params: Params = new Map();
  const source = new Map<string, string>();
  for (const file of await weightFiles(dir)) {
    const { tensors } = await readSafetensorsFile(file);
    for (const [raw, t] of tensors) {
      const base = raw.startsWith('transformer.') ? raw.slice('transformer.'.length) : raw;
      if (IGNORED.test(base)) continue;
      const name = `transformer.${base}`;
      const dims = shapes.get(name);
      if (dims === undefined)
        throw new CheckpointError(
          'is not a GPT-2 parameter for this config.json (is this a GPT2LMHeadModel?)',
          { file, tensor: raw },
        );
      if (source.has(name))
        throw new CheckpointError(`appears twice (also in ${source.get(name)})`, { file, tensor: raw });
      if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i]))
        throw new CheckpointError(
          `has shape [${t.dims.join(', ')}], config.json implies [${dims.join(', ')}]`,
          { file, tensor: raw },
        );
      if (t.dtype !== 'float32' && t.dtype !== 'float64')
        throw new CheckpointError(`has dtype ${t.dtype}; weights must be floating point`, {
          file,
          tensor: raw,
        });
      const data =
        t.dtype === 'float32' ? (t.data as Float32Array) : Float32Array.from(t.data as Float64Array);
      params.set(name, { dtype: 'float32', dims: [...dims], data });
      source.set(name, file);
    }
  }
  for (const name of shapes.keys())
    if (!params.has(name))
      throw new CheckpointError('is missing from the checkpoint weights', {
        file: join(dir, CHECKPOINT_FILES.weights),
        tensor: name,
      });
  // Return in paramShapes order, whatever the file order.
  const ordered: Params = new Map([...shapes.keys()].map((n) => [n, params.get(n)!]));
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
    params: ordered,
    bosTokenId: id('bos_token_id'),
    eosTokenId: id('eos_token_id'),
    generationConfig,
  };
}
