// ONNX export of a checkpoint as a Hugging Face-style model folder that
// transformers.js (@huggingface/transformers) and onnxruntime-web load as a GPT-2
// text-generation model:
//   outDir/onnx/model.onnx        KV-cache graph in Optimum's decoder layout (kvGraph.ts)
//   outDir/onnx/model.onnx_data   external weights, only above the protobuf limit
//   outDir/config.json            the checkpoint's GPT-2 config (+ use_cache, transformers.js_config)
//   outDir/generation_config.json the checkpoint's, or written from its token ids
//   outDir/tokenizer.json, outDir/tokenizer_config.json  copied from the checkpoint
// The folder is built beside outDir and renamed into place (all or nothing).

import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceDirAtomic, writeFileSynced } from '../checkpoint/atomic.js';
import { loadCheckpoint } from '../checkpoint/hfFolder.js';
import { GenerationError } from '../generate/errors.js';
import { buildKvCacheGraph } from '../generate/kvGraph.js';
import { initializerBytes, PROTOBUF_SAFE_BYTES, writeOnnxFile } from './onnxFile.js';

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** Force (true) or forbid (false) external weight data; default: only when the weights exceed ~1.9 GB. */
  externalData?: boolean;
}

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

/** May `exportOnnx` replace this existing folder? Only an earlier export or an empty folder. */
function checkReplace(existing: string, entries: string[]): void {
  const looksLikeExport = entries.includes('onnx') && entries.includes('config.json');
  if (entries.length > 0 && !looksLikeExport) {
    throw new GenerationError(
      `${existing} exists and is not an ONNX export folder; choose an empty or new output folder`,
    );
  }
}

/**
 * Exports the checkpoint folder `checkpointDir` (config.json, model.safetensors,
 * tokenizer files) to `outDir` for onnxruntime / transformers.js. An existing export
 * at `outDir` is replaced; any other non-empty folder is refused.
 */
export async function exportOnnx(
  checkpointDir: string,
  outDir: string,
  opts: ExportOnnxOptions = {},
): Promise<ExportOnnxResult> {
  for (const f of TOKENIZER_FILES) {
    if (!(await isFile(join(checkpointDir, f)))) {
      throw new GenerationError(
        `${join(checkpointDir, f)} is missing; a text-generation export needs the checkpoint's tokenizer files`,
      );
    }
  }
  const ckpt = await loadCheckpoint(checkpointDir);
  const graph = buildKvCacheGraph(ckpt.config, ckpt.params);
  const externalData = opts.externalData ?? initializerBytes(graph) > PROTOBUF_SAFE_BYTES;

  const hfConfig = JSON.parse(await readFile(join(checkpointDir, 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const config: Record<string, unknown> = { ...hfConfig, use_cache: true };
  if (externalData) config['transformers.js_config'] = { use_external_data_format: true };
  const generation = ckpt.generationConfig ?? {
    _from_model_config: true,
    bos_token_id: ckpt.bosTokenId ?? 0,
    eos_token_id: ckpt.eosTokenId ?? 0,
  };
  const optional: string[] = [];
  for (const f of OPTIONAL_FILES) if (await isFile(join(checkpointDir, f))) optional.push(f);

  const files: string[] = [];
  await replaceDirAtomic(
    outDir,
    async (tmp) => {
      await mkdir(join(tmp, 'onnx'));
      const written = await writeOnnxFile(graph, join(tmp, 'onnx', 'model.onnx'), {
        externalData,
        docString: `GPT-2 (${ckpt.config.nLayer} layers, ${ckpt.config.nEmbd} embd) with KV cache, exported by SpinettAI`,
      });
      for (const w of written) files.push(w.slice(tmp.length + 1));
      await writeFileSynced(join(tmp, 'config.json'), json(config));
      files.push('config.json');
      await writeFileSynced(join(tmp, 'generation_config.json'), json(generation));
      files.push('generation_config.json');
      for (const f of [...TOKENIZER_FILES, ...optional]) {
        await writeFileSynced(join(tmp, f), await readFile(join(checkpointDir, f)));
        files.push(f);
      }
    },
    checkReplace,
  );
  return { outDir, modelPath: join(outDir, 'onnx', 'model.onnx'), files, externalData };
}
