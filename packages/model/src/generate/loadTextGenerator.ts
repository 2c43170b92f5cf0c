// Node-only factories of TextGenerator: from a checkpoint folder, an export folder or
// in-memory weights, on onnxruntime-node unless another runtime is passed. They read
// files; the browser-safe TextGenerator.create (textGenerator.ts) takes bytes or a URL.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTokenizer } from '@spinettai/tokenizer/node';
import * as ortNode from 'onnxruntime-node';
import { recoverDir } from '../checkpoint/atomic.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { fromHfConfig, type GPTConfig } from '../config.js';
import { ModelError } from '../errors.js';
import { checkModelDType, type ModelDType, quantizeGraph } from '../export/quantize.js';
import { modelFileForDtype } from '../export/quantizeFiles.js';
import { buildKvCacheGraph } from '../kvGraph.js';
import { isAdapterFolder } from '../lora/adapterFolder.js';
import { loadModelWeights } from '../lora/loadModel.js';
import type { WordRunIndex } from '../lyrics/copyGuard.js';
import { loadLyricsCorpus } from '../lyrics/corpusFile.js';
import type { Params } from '../params.js';
import { GenerationError } from './errors.js';
import { modelBytesOrFile } from './modelFile.js';
import { checkOptionKeys } from './options.js';
import type { OrtModule } from './ort.js';
import { TextGenerator } from './textGenerator.js';
import type { GenerationTokenizer } from './textStream.js';

/** Options of `loadTextGenerator`. */
export interface LoadTextGeneratorOptions {
  /** The onnxruntime module (default: onnxruntime-node). */
  ort?: OrtModule | undefined;
  /** Use this tokenizer instead of the folder's tokenizer.json. */
  tokenizer?: GenerationTokenizer | undefined;
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number | undefined;
  /**
   * Weights to run (default 'fp32'): an export folder's file for that dtype (MODEL_FILE_FOR_DTYPE,
   * written by `exportOnnx({ quantize })`); a checkpoint's weights are quantized in memory.
   */
  dtype?: ModelDType | undefined;
  /** For a LoRA adapter folder: its base model folder (default: the adapter's base_model_name_or_path). */
  base?: string | undefined;
  /** The training lyrics for the copied-lyrics guard (`maxCopyWords`): a corpus file or data folder. */
  corpus?: string | undefined;
  /** The training lyrics, already indexed (instead of `corpus`). */
  lyricsIndex?: WordRunIndex | undefined;
}

/** Options of `textGeneratorFromParams`. */
export interface TextGeneratorFromParamsOptions extends LoadTextGeneratorOptions {
  /** Id of `<|endoftext|>` when there is no tokenizer (default 0). */
  eosTokenId?: number | undefined;
}

const LOAD_KEYS: readonly string[] = Object.keys({
  ort: true,
  tokenizer: true,
  threads: true,
  dtype: true,
  base: true,
  corpus: true,
  lyricsIndex: true,
} satisfies Record<keyof LoadTextGeneratorOptions, true>);

/** The lyrics index of `opts`: given, read from `corpus`, or none. */
async function lyricsIndexOf(opts: LoadTextGeneratorOptions): Promise<WordRunIndex | undefined> {
  if (opts.lyricsIndex !== undefined && opts.corpus !== undefined)
    throw new GenerationError("pass either 'corpus' or 'lyricsIndex', not both", { option: 'corpus' });
  if (opts.corpus === undefined) return opts.lyricsIndex;
  return (await loadLyricsCorpus(opts.corpus)).index;
}
const PARAMS_KEYS: readonly string[] = [...LOAD_KEYS, 'eosTokenId'];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function folderTokenizer(
  dir: string,
  given: GenerationTokenizer | undefined,
): Promise<GenerationTokenizer | undefined> {
  if (given !== undefined) return given;
  return (await exists(join(dir, 'tokenizer.json'))) ? loadTokenizer(dir) : undefined;
}

/**
 * A TextGenerator over in-memory weights (Hugging Face GPT-2 names), e.g. straight
 * from training.
 *
 * @example
 * ```ts
 * import { initParams, validateConfig } from '@spinettai/model';
 * import { textGeneratorFromParams } from '@spinettai/model/node';
 *
 * const config = validateConfig({ vocabSize: 512, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 64 });
 * const generator = await textGeneratorFromParams(config, initParams(config, 1234));
 * const { ids } = await generator.generateIds([0, 42], { temperature: 0, maxNewTokens: 8 });
 * await generator.release();
 * ```
 */
export async function textGeneratorFromParams(
  config: GPTConfig,
  params: Params,
  opts: TextGeneratorFromParamsOptions = {},
): Promise<TextGenerator> {
  checkOptionKeys(opts, PARAMS_KEYS);
  const dtype = checkModelDType(opts.dtype ?? 'fp32');
  const lyricsIndex = await lyricsIndexOf(opts);
  const graph = buildKvCacheGraph(config, params);
  const model = await modelBytesOrFile(dtype === 'fp32' ? graph : quantizeGraph(graph, dtype));
  try {
    return await TextGenerator.create({
      ort: opts.ort ?? ortNode,
      model: model.source,
      config,
      tokenizer: opts.tokenizer,
      eosTokenId: opts.eosTokenId,
      threads: opts.threads,
      lyricsIndex,
    });
  } finally {
    await model.cleanup();
  }
}

async function fromCheckpoint(dir: string, opts: LoadTextGeneratorOptions): Promise<TextGenerator> {
  const ckpt = await loadModelWeights(dir, { base: opts.base }); // an adapter comes merged
  const tokenizer = await folderTokenizer(ckpt.tokenizerDir, opts.tokenizer);
  return textGeneratorFromParams(ckpt.config, ckpt.params, {
    ...opts,
    tokenizer,
    eosTokenId: ckpt.eosTokenId,
  });
}

async function fromExport(dir: string, opts: LoadTextGeneratorOptions): Promise<TextGenerator> {
  const configPath = join(dir, 'config.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new GenerationError(
      `cannot read ${configPath} (${(err as Error).message}); is ${dir} an exportOnnx folder?`,
    );
  }
  const eos = json['eos_token_id'];
  const model = await modelFileForDtype(dir, opts.dtype ?? 'fp32');
  const config = fromHfConfig(json);
  const tokenizer = await folderTokenizer(dir, opts.tokenizer);
  const lyricsIndex = await lyricsIndexOf(opts);
  try {
    return await TextGenerator.create({
      ort: opts.ort ?? ortNode,
      model,
      config,
      tokenizer,
      eosTokenId: typeof eos === 'number' ? eos : undefined,
      threads: opts.threads,
      lyricsIndex,
    });
  } catch (e) {
    // onnxruntime's own words for a file that is not an ONNX model it can load.
    if (
      e instanceof Error &&
      !(e instanceof ModelError) &&
      /protobuf|load model|invalid model|model_path/i.test(e.message)
    )
      throw new GenerationError(
        `${model} is not an ONNX model onnxruntime can load (${e.message.split('\n')[0]}); export the checkpoint again with exportOnnx`,
        { option: 'model' },
      );
    throw e;
  }
}

/**
 * Loads a model folder of either kind: an export folder written by `exportOnnx` (it has
 * onnx/model.onnx) or a checkpoint folder (config.json + model.safetensors). The
 * folder's tokenizer.json, when there is one, becomes the generator's tokenizer.
 * Throws CheckpointError when `dir` is neither.
 *
 * @example
 * ```ts
 * import { loadTextGenerator } from '@spinettai/model/node';
 *
 * const generator = await loadTextGenerator('runs/demo/export');
 * const { text } = await generator.generate('La noche', { maxNewTokens: 100, seed: 7 });
 * await generator.release();
 * ```
 */
export async function loadTextGenerator(
  dir: string,
  opts: LoadTextGeneratorOptions = {},
): Promise<TextGenerator> {
  checkOptionKeys(opts, LOAD_KEYS);
  await recoverDir(dir); // an export or checkpoint swap that a kill cut short
  if (await exists(join(dir, 'onnx', 'model.onnx'))) return fromExport(dir, opts);
  if (!(await exists(dir)))
    throw new CheckpointError('no such folder; pass a checkpoint folder or an export folder', { file: dir });
  if (!(await exists(join(dir, 'config.json'))) && !(await isAdapterFolder(dir))) {
    throw new CheckpointError(
      'is neither a checkpoint folder (config.json), a LoRA adapter folder (adapter_config.json) nor an export folder (onnx/model.onnx)',
      { file: dir },
    );
  }
  return fromCheckpoint(dir, opts);
}
