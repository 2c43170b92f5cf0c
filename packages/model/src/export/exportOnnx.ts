// ONNX export of a checkpoint as a Hugging Face-style model folder that
// transformers.js (@huggingface/transformers) and onnxruntime-web load as a GPT-2
// text-generation model:
//   outDir/onnx/model.onnx        KV-cache graph in Optimum's decoder layout (kvGraph.ts)
//   outDir/onnx/model.onnx_data   external weights, only above the protobuf limit
//   outDir/config.json            the checkpoint's GPT-2 config (+ use_cache, transformers.js_config)
//   outDir/generation_config.json the checkpoint's, or written from its token ids
//   outDir/tokenizer.json, outDir/tokenizer_config.json  copied from the checkpoint
// The folder is built beside outDir and renamed into place (all or nothing), under a
// lock, and replaces only an earlier export (checkpoint/atomic.ts's marker).

import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkReplaceable, recoverDir, replaceDirAtomic, writeFileSynced } from '../checkpoint/atomic.js';
import { lockFolder } from '../checkpoint/lock.js';
import { unknownOption } from '../generate/options.js';
import { buildKvCacheGraph } from '../kvGraph.js';
import { loadModelWeights } from '../lora/loadModel.js';
import { ExportError } from './errors.js';
import { initializerBytes, PROTOBUF_SAFE_BYTES, writeOnnxFile } from './onnxFile.js';
import { parseQuantizeList, type QuantizeDType } from './quantize.js';
import { writeQuantizedModels } from './quantizeFiles.js';
import { runFacts } from './runFacts.js';

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** Force (true) or forbid (false) external weight data; default: only when the weights exceed ~1.9 GB. */
  externalData?: boolean | undefined;
  /** Also write these quantized variants beside onnx/model.onnx (quantizeFiles.ts names them); default none. */
  quantize?: readonly QuantizeDType[] | undefined;
  /** Replace an earlier export at outDir (default false: refused). Other folders are never replaced. */
  overwrite?: boolean | undefined;
  /** When exporting a LoRA adapter folder: its base model folder (default: its base_model_name_or_path). */
  base?: string | undefined;
}

const EXPORT_KEYS: readonly string[] = Object.keys({
  externalData: true,
  quantize: true,
  overwrite: true,
  base: true,
} satisfies Record<keyof ExportOnnxOptions, true>);

/** What `exportOnnx` wrote. */
export interface ExportOnnxResult {
  outDir: string;
  /** Path of onnx/model.onnx. */
  modelPath: string;
  /** Every file written, relative to outDir. */
  files: string[];
  externalData: boolean;
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;
/** Copied when the checkpoint has them. */
const OPTIONAL_FILES = ['special_tokens_map.json'] as const;

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Exports the checkpoint folder `checkpointDir` (config.json, model.safetensors,
 * tokenizer files) — or a LoRA adapter folder, merged into its base — to `outDir` for
 * onnxruntime / transformers.js. An earlier export
 * at `outDir` (marked by this tool) is replaced only with `overwrite`; any other
 * non-empty folder is refused (OutputFolderError), as is a folder another process is
 * exporting to.
 *
 * @example
 * ```ts
 * import { exportOnnx } from '@spinettai/model/node';
 *
 * const { files } = await exportOnnx('runs/a/checkpoint', 'runs/a/export', { overwrite: true });
 * // files: onnx/model.onnx, config.json, generation_config.json, tokenizer.json, …
 * ```
 */
export async function exportOnnx(
  checkpointDir: string,
  outDir: string,
  opts: ExportOnnxOptions = {},
): Promise<ExportOnnxResult> {
  const bad = unknownOption(opts, EXPORT_KEYS);
  if (bad !== undefined)
    throw new ExportError(`exportOnnx: unknown option '${bad.option}'; ${bad.hint}`, { option: bad.option });
  const quantize = parseQuantizeList(opts.quantize ?? []);
  for (const f of TOKENIZER_FILES) {
    const path = join(checkpointDir, f);
    if (!(await isFile(path))) {
      throw new ExportError(
        `${path} is missing; a text-generation export needs the checkpoint's tokenizer files`,
        { path },
      );
    }
  }
  // Take the folder and vet it before the (long) graph build.
  const lock = await lockFolder(outDir, 'export');
  try {
    await recoverDir(outDir);
    await checkReplaceable(outDir, 'export', opts.overwrite ?? false);
    // An adapter folder is merged into its base: the export runs with no knowledge of LoRA.
    const ckpt = await loadModelWeights(checkpointDir, { base: opts.base });
    const graph = buildKvCacheGraph(ckpt.config, ckpt.params);
    const externalData = opts.externalData ?? initializerBytes(graph) > PROTOBUF_SAFE_BYTES;

    const hfConfig = JSON.parse(await readFile(join(ckpt.modelDir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const config: Record<string, unknown> = { ...hfConfig, use_cache: true };
    const facts = await runFacts(checkpointDir);
    if (Object.keys(facts).length > 0) config['spinettai'] = facts;
    if (externalData) config['transformers.js_config'] = { use_external_data_format: true };
    const generation = ckpt.generationConfig ?? {
      _from_model_config: true,
      bos_token_id: ckpt.bosTokenId ?? 0,
      eos_token_id: ckpt.eosTokenId ?? 0,
    };
    const optional: string[] = [];
    for (const f of OPTIONAL_FILES) if (await isFile(join(checkpointDir, f))) optional.push(f);

    const files: string[] = [];
    await replaceDirAtomic(outDir, 'export', async (tmp) => {
      await mkdir(join(tmp, 'onnx'));
      const written = await writeOnnxFile(graph, join(tmp, 'onnx', 'model.onnx'), {
        externalData,
        docString: `GPT-2 (${ckpt.config.nLayer} layers, ${ckpt.config.nEmbd} embd) with KV cache, exported by SpinettAI`,
      });
      written.push(...(await writeQuantizedModels(graph, join(tmp, 'onnx'), quantize, { externalData })));
      for (const w of written) files.push(w.slice(tmp.length + 1));
      await writeFileSynced(join(tmp, 'config.json'), json(config));
      files.push('config.json');
      await writeFileSynced(join(tmp, 'generation_config.json'), json(generation));
      files.push('generation_config.json');
      for (const f of [...TOKENIZER_FILES, ...optional]) {
        await writeFileSynced(join(tmp, f), await readFile(join(checkpointDir, f)));
        files.push(f);
      }
    });
    return { outDir, modelPath: join(outDir, 'onnx', 'model.onnx'), files, externalData };
  } finally {
    await lock.release();
  }
}
