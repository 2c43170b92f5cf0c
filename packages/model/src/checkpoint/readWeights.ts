// Reading GPT-2 weights from a checkpoint folder as SpinettAI or Python transformers
// (`save_pretrained`, the Hub) writes it: model.safetensors or shards named by
// model.safetensors.index.json; names with or without `transformer.`; attention-mask
// buffers (`attn.bias`, `attn.masked_bias`) skipped; a stored `lm_head.weight` checked
// equal to wte; F32, F16, BF16 or F64 weights, widened to float32.
// Files are untrusted: every header is checked against config.json (names, shapes,
// dtypes, duplicates, missing tensors) before any tensor is read, tensors are read by
// offset, and non-finite weights are refused, naming the tensor.
// Reference: transformers modeling_utils (sharded checkpoints), GPT2LMHeadModel.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import type { GPTConfig } from '../config.js';
import { type Params, paramShapes } from '../params.js';
import { CheckpointError } from './errors.js';
import { openSafetensorsFile, type SafetensorsEntry, type SafetensorsFile } from './safetensors.js';

const WEIGHTS = 'model.safetensors';
const WEIGHTS_INDEX = 'model.safetensors.index.json';

/** How to turn a PyTorch-only folder into safetensors, for the refusal message. */
const RESAVE_HINT =
  "download the repository's model.safetensors from the Hub instead, or convert it on a machine with Python: " +
  `python -c "from transformers import GPT2LMHeadModel; GPT2LMHeadModel.from_pretrained('<folder>').save_pretrained('<out>', safe_serialization=True)"`;

/** Non-parameter tensors of a transformers GPT-2 file: attention-mask buffers, never read. */
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/** Weight dtypes read (all widened to float32). */
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

type Kind = 'file' | 'dir' | 'other' | undefined;
const kindOf = (p: string): Promise<Kind> =>
  stat(p).then(
    (s) => (s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other'),
    () => undefined,
  );

/** The weight files of a folder: model.safetensors, or the shards named by its index. */
export async function weightFiles(
  dir: string,
  readJson: (path: string) => Promise<unknown>,
): Promise<string[]> {
  const single = join(dir, WEIGHTS);
  const singleKind = await kindOf(single);
  if (singleKind === 'dir')
    throw new CheckpointError('is a folder, not a safetensors file; remove or rename it', { file: single });
  if (singleKind !== undefined) return [single];
  const indexPath = join(dir, WEIGHTS_INDEX);
  if ((await kindOf(indexPath)) !== undefined) {
    const index = await readJson(indexPath);
    const map = (index as { weight_map?: unknown } | null)?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw new CheckpointError('has no weight_map object; re-download the checkpoint', { file: indexPath });
    const files = [...new Set(Object.values(map))];
    for (const f of files)
      if (typeof f !== 'string' || !/^[\w.-]+\.safetensors$/.test(f) || f.startsWith('.'))
        throw new CheckpointError(`names an invalid shard '${String(f)}'`, { file: indexPath });
    if (files.length === 0) throw new CheckpointError('names no shards', { file: indexPath });
    return (files as string[]).sort().map((f) => join(dir, f));
  }
  if ((await kindOf(join(dir, 'pytorch_model.bin'))) !== undefined)
    throw new CheckpointError(
      `has only pytorch_model.bin, a PyTorch pickle, which is never loaded (unpickling runs code); ${RESAVE_HINT}`,
      { file: dir },
    );
  throw new CheckpointError(`has no ${WEIGHTS} or ${WEIGHTS_INDEX}; not a checkpoint folder`, { file: dir });
}

/** Where a tensor comes from. */
interface Source {
  readonly file: SafetensorsFile;
  readonly entry: SafetensorsEntry;
}

const sameDims = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Checks every header against the config and returns where each parameter (and a
 * stored lm_head) is. Reads no tensor data.
 */
function plan(
  files: readonly SafetensorsFile[],
  config: GPTConfig,
): { params: Map<string, Source>; lmHead: Source | undefined } {
  const shapes = paramShapes(config);
  const params = new Map<string, Source>();
  let lmHead: Source | undefined;
  for (const file of files) {
    for (const entry of file.entries) {
      const where = { file: file.path, tensor: entry.name };
      const base = entry.name.startsWith('transformer.')
        ? entry.name.slice('transformer.'.length)
        : entry.name;
      if (BUFFER.test(base)) continue;
      const isHead = entry.name === 'lm_head.weight';
      const name = isHead ? entry.name : `transformer.${base}`;
      const dims = isHead ? shapes.get('transformer.wte.weight') : shapes.get(name);
      if (dims === undefined)
        throw new CheckpointError(
          'is not a GPT-2 parameter for this config.json (is this a GPT2LMHeadModel checkpoint?)',
          where,
        );
      const seen = isHead ? lmHead : params.get(name);
      if (seen !== undefined) throw new CheckpointError(`appears twice (also in ${seen.file.path})`, where);
      if (!sameDims(entry.shape, dims))
        throw new CheckpointError(
          `has shape [${entry.shape.join(', ')}], config.json implies [${dims.join(', ')}]`,
          where,
        );
      if (!FLOAT_DTYPES.has(entry.dtype))
        throw new CheckpointError(
          `has dtype ${entry.dtype}; weights must be ${[...FLOAT_DTYPES].join(', ')}`,
          where,
        );
      if (isHead) lmHead = { file, entry };
      else params.set(name, { file, entry });
    }
  }
  for (const name of shapes.keys())
    if (!params.has(name))
      throw new CheckpointError('is missing from the checkpoint weights', {
        file: files.length === 1 ? files[0]!.path : files.map((f) => f.path).join(' + '),
        tensor: name,
      });
  return { params, lmHead };
}

/** A weight as float32, refusing NaN and ±Infinity. */
async function readFloat32(src: Source): Promise<Float32Array> {
  const t: TensorData = await src.file.read(src.entry);
  const data = t.dtype === 'float32' ? (t.data as Float32Array) : Float32Array.from(t.data as Float64Array);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0)
      throw new CheckpointError(
        `holds a non-finite value (${v} at element ${i}); the checkpoint is corrupt or its training diverged — use an earlier checkpoint`,
        { file: src.file.path, tensor: src.entry.name },
      );
  }
  return data;
}

/**
 * Reads the GPT-2 weights of folder `dir` for `config` (from its config.json) as
 * float32 params in `paramShapes` order. Throws CheckpointError naming the file and
 * tensor for anything that does not fit, before reading any data.
 */
export async function readGpt2Weights(
  dir: string,
  config: GPTConfig,
  readJson: (path: string) => Promise<unknown>,
): Promise<Params> {
  const paths = await weightFiles(dir, readJson);
  const open: SafetensorsFile[] = [];
  try {
    for (const p of paths) open.push(await openSafetensorsFile(p));
    const { params: sources, lmHead } = plan(open, config);
    const params: Params = new Map();
    for (const [name, src] of sources) {
      const dims = [...src.entry.shape];
      params.set(name, { dtype: 'float32', dims, data: await readFloat32(src) });
    }
    if (lmHead !== undefined) checkTied(await readFloat32(lmHead), params, lmHead, config);
    return new Map([...paramShapes(config).keys()].map((n) => [n, params.get(n)!]));
  } finally {
    for (const f of open) await f.close();
  }
}

/** A stored LM head must equal wte: SpinettAI's graph ties them. */
function checkTied(head: Float32Array, params: Params, src: Source, config: GPTConfig): void {
  const wte = params.get('transformer.wte.weight')!.data as Float32Array;
  for (let i = 0; i < head.length; i++)
    if (head[i] !== wte[i])
      throw new CheckpointError(
        `differs from transformer.wte.weight (first at token ${Math.floor(i / config.nEmbd)}): this model's LM head is untied, and SpinettAI runs only GPT-2's tied head; use a checkpoint with tie_word_embeddings`,
        { file: src.file.path, tensor: src.entry.name },
      );
}

/** Tokenizer files a checkpoint folder may hold, in the order they are reported. */
const TOKENIZER_FILE_NAMES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
] as const;

/** The tokenizer files found beside a checkpoint's weights. */
export interface CheckpointTokenizerFiles {
  /**
   * 'tokenizer.json' when the folder has one; 'vocab.json+merges.txt' when it has only
   * GPT-2's older pair; undefined when it has no tokenizer (bring one for text).
   */
  readonly format: 'tokenizer.json' | 'vocab.json+merges.txt' | undefined;
  /** The tokenizer files present (of tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.json, merges.txt, added_tokens.json). */
  readonly files: readonly string[];
}

/** Which tokenizer files `dir` holds (regular files only). */
export async function findTokenizerFiles(dir: string): Promise<CheckpointTokenizerFiles> {
  const files: string[] = [];
  for (const f of TOKENIZER_FILE_NAMES) if ((await kindOf(join(dir, f))) === 'file') files.push(f);
  const format = files.includes('tokenizer.json')
    ? 'tokenizer.json'
    : files.includes('vocab.json') && files.includes('merges.txt')
      ? 'vocab.json+merges.txt'
      : undefined;
  return { format, files };
}
