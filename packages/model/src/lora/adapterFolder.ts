// PEFT LoRA adapter folders, as `PeftModel.save_pretrained` writes them and
// `PeftModel.from_pretrained` reads them:
//   adapter_config.json        peft_type LORA, task_type CAUSAL_LM, r, lora_alpha, …
//   adapter_model.safetensors  base_model.model.transformer.h.{i}.<module>.lora_A.weight [r, in]
//                              and ….lora_B.weight [out, r]
// plus, from us, the tokenizer files and whatever the trainer adds (trainer_state.json…).
// The base model is found through base_model_name_or_path (a folder) or given by the caller.
// Reference: PEFT's LoraConfig and save_pretrained (huggingface/peft, src/peft/tuners/lora).

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorData } from '@spinettai/graph';
import { replaceDirAtomic, writeFileSynced } from '../checkpoint/atomic.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { writeCompanionFiles } from '../checkpoint/hfFolder.js';
import { readSafetensorsFile, writeSafetensorsFile } from '../checkpoint/safetensors.js';
import type { GPTConfig } from '../config.js';
import type { Params } from '../params.js';
import { LORA_TARGETS, type LoraConfig, resolveLora } from './config.js';
import { loraShapes } from './params.js';

/** File names of an adapter folder. */
export const ADAPTER_FILES = {
  config: 'adapter_config.json',
  weights: 'adapter_model.safetensors',
} as const;

const PEFT_PREFIX = 'base_model.model.';

/** Options of `saveAdapter`. */
export interface SaveAdapterOptions {
  readonly lora: LoraConfig;
  /** The model's shape (to check the adapter's tensors). */
  readonly config: GPTConfig;
  /** LoRA tensors by our names (`transformer.h.0.attn.c_attn.lora_A.weight`…). */
  readonly params: Params;
  /** Where the base model lives: a folder path or a Hub id; written as base_model_name_or_path. */
  readonly baseModel: string;
  /** Folder whose tokenizer files are copied in. */
  readonly tokenizerDir?: string | undefined;
  /** More files written in the same atomic swap (trainer_state.json…). */
  readonly extraFiles?: Readonly<Record<string, Uint8Array | string>> | undefined;
}

/** A loaded adapter. */
export interface LoadedAdapter {
  readonly lora: LoraConfig;
  /** LoRA tensors by our names, float32. */
  readonly params: Params;
  /** base_model_name_or_path as stored. */
  readonly baseModel: string | undefined;
}

/** True when `dir` holds adapter_config.json (an adapter folder rather than a full model). */
export async function isAdapterFolder(dir: string): Promise<boolean> {
  return stat(join(dir, ADAPTER_FILES.config)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** adapter_config.json as PEFT writes it for a LoRA on GPT-2. */
function adapterConfigJson(lora: LoraConfig, baseModel: string): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModel,
    bias: 'none',
    fan_in_fan_out: true,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: lora.rank,
    rank_pattern: {},
    revision: null,
    target_modules: [...lora.targets],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: false,
  };
}

/** Writes a PEFT adapter folder at `dir`, replacing an earlier one atomically. */
export async function saveAdapter(dir: string, opts: SaveAdapterOptions): Promise<void> {
  const shapes = loraShapes(opts.config, opts.lora);
  const tensors: [string, TensorData][] = [];
  for (const [name, dims] of shapes) {
    const t = opts.params.get(name);
    if (t === undefined) throw new CheckpointError('is missing from the adapter to save', { tensor: name });
    if (t.dims.length !== 2 || t.dims[0] !== dims[0] || t.dims[1] !== dims[1])
      throw new CheckpointError(`has shape [${t.dims.join(', ')}], expected [${dims.join(', ')}]`, {
        tensor: name,
      });
    const data =
      t.dtype === 'float32'
        ? t
        : { dtype: 'float32' as const, dims: t.dims, data: Float32Array.from(t.data as Float64Array) };
    tensors.push([`${PEFT_PREFIX}${name}`, data]);
  }
  await replaceDirAtomic(dir, 'checkpoint', async (tmp) => {
    await writeFileSynced(
      join(tmp, ADAPTER_FILES.config),
      `${JSON.stringify(adapterConfigJson(opts.lora, opts.baseModel), null, 2)}\n`,
    );
    await writeSafetensorsFile(join(tmp, ADAPTER_FILES.weights), tensors, { format: 'pt' });
    await writeCompanionFiles(tmp, opts.tokenizerDir, opts.extraFiles);
  });
}

/** PEFT features this implementation does not have: refused with the field's name. */
function checkSupported(c: Record<string, unknown>, file: string): void {
  const refuse = (field: string, why: string) => {
    throw new CheckpointError(`${why}; only plain LoRA adapters on GPT-2 are supported`, { file, field });
  };
  if (c['peft_type'] !== 'LORA')
    refuse('peft_type', `peft_type is ${JSON.stringify(c['peft_type'])}, not "LORA"`);
  if (c['task_type'] !== undefined && c['task_type'] !== null && c['task_type'] !== 'CAUSAL_LM')
    refuse('task_type', `task_type is ${JSON.stringify(c['task_type'])}, not "CAUSAL_LM"`);
  if (c['bias'] !== undefined && c['bias'] !== 'none') refuse('bias', `bias is ${JSON.stringify(c['bias'])}`);
  if (c['use_dora'] === true) refuse('use_dora', 'DoRA adapters (use_dora) are not supported');
  if (c['use_rslora'] === true) refuse('use_rslora', 'rank-stabilised LoRA (use_rslora) is not supported');
  for (const f of ['rank_pattern', 'alpha_pattern'])
    if (c[f] !== undefined && c[f] !== null && Object.keys(c[f] as object).length > 0)
      refuse(f, `${f} is not supported`);
  for (const f of ['layers_to_transform', 'modules_to_save'])
    if (c[f] !== undefined && c[f] !== null) refuse(f, `${f} is not supported`);
  if (!Array.isArray(c['target_modules']))
    refuse(
      'target_modules',
      'target_modules must be a list of module names (a regex string is not supported)',
    );
}

/** Reads a PEFT LoRA adapter folder for a GPT-2 of shape `config`. */
export async function loadAdapter(dir: string, config: GPTConfig): Promise<LoadedAdapter> {
  const file = join(dir, ADAPTER_FILES.config);
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`cannot read the adapter config (${(e as Error).message})`, { file });
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw new CheckpointError('must hold a JSON object', { file });
  checkSupported(c, file);
  // PEFT matches target_modules as name suffixes: plain "c_proj" means both projections.
  const targets = (c['target_modules'] as unknown[]).flatMap((t) =>
    t === 'c_proj'
      ? ['attn.c_proj', 'mlp.c_proj']
      : t === 'attn.c_attn'
        ? ['c_attn']
        : t === 'mlp.c_fc'
          ? ['c_fc']
          : [t],
  );
  for (const t of targets)
    if (!(LORA_TARGETS as readonly unknown[]).includes(t))
      throw new CheckpointError(
        `target module ${JSON.stringify(t)} is not a GPT-2 linear layer (${LORA_TARGETS.join(', ')})`,
        {
          file,
          field: 'target_modules',
        },
      );
  let lora: LoraConfig;
  try {
    lora = resolveLora({
      rank: c['r'] as number,
      alpha: c['lora_alpha'] as number,
      dropout: (c['lora_dropout'] as number | undefined) ?? 0,
      targets: targets as string[],
    });
  } catch (e) {
    throw new CheckpointError((e as Error).message, { file });
  }
  const weights = join(dir, ADAPTER_FILES.weights);
  const shapes = loraShapes(config, lora);
  const { tensors } = await readSafetensorsFile(weights, {
    check: (entries) => {
      for (const e of entries) {
        const name = ourName(e.name);
        const dims = shapes.get(name);
        if (dims === undefined)
          throw new CheckpointError('is not a LoRA tensor of this adapter config and base model', {
            file: weights,
            tensor: e.name,
          });
        if (e.shape.length !== 2 || e.shape[0] !== dims[0] || e.shape[1] !== dims[1])
          throw new CheckpointError(`has shape [${e.shape.join(', ')}], expected [${dims.join(', ')}]`, {
            file: weights,
            tensor: e.name,
          });
      }
    },
  });
  const params: Params = new Map();
  for (const [name, t] of tensors) params.set(ourName(name), toFloat32(t));
  for (const name of shapes.keys())
    if (!params.has(name)) throw new CheckpointError('is missing', { file: weights, tensor: name });
  const base = c['base_model_name_or_path'];
  return { lora, params, baseModel: typeof base === 'string' && base !== '' ? base : undefined };
}

/** PEFT's tensor name → ours: drop `base_model.model.` and an adapter name (`.default`). */
function ourName(peft: string): string {
  const n = peft.startsWith(PEFT_PREFIX) ? peft.slice(PEFT_PREFIX.length) : peft;
  return n.replace(/\.lora_([AB])\.default\.weight$/, '.lora_$1.weight');
}

function toFloat32(t: TensorData): TensorData {
  if (t.dtype === 'float32') return t;
  return { dtype: 'float32', dims: t.dims, data: Float32Array.from(t.data as ArrayLike<number>) };
}
