// Where each dtype of an export lives, in the file names transformers.js loads for its
// `dtype` option (onnx/model.onnx for fp32, model_quantized.onnx for q8, model_q4.onnx,
// model_fp16.onnx), and writing the quantized files beside onnx/model.onnx. This file is
// the one owner of those names: exportOnnx, the generator and the CLI read them here.
// Reference: transformers.js DEFAULT_DTYPE_SUFFIX_MAPPING (fp32 '', q8 '_quantized',
// q4 '_q4', fp16 '_fp16').

import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Graph } from '@spinettai/graph';
import { ExportError } from './errors.js';
import { writeOnnxFile } from './onnxFile.js';
import { QUANTIZE_DTYPES, type QuantizeDType, quantizeGraph } from './quantize.js';

/** The dtypes an export folder can hold: fp32 (always) and the quantized ones. */
export type ModelDType = 'fp32' | QuantizeDType;

/** Every ModelDType (the `--dtype` choices). */
export const MODEL_DTYPES: readonly ModelDType[] = ['fp32', ...QUANTIZE_DTYPES];

/** File name under `onnx/` of each dtype. */
export const MODEL_FILE_FOR_DTYPE: Readonly<Record<ModelDType, string>> = {
  fp32: 'model.onnx',
  q8: 'model_quantized.onnx',
  q4: 'model_q4.onnx',
  fp16: 'model_fp16.onnx',
};

/**
 * The quantized dtypes from a list or a comma-separated string ('q8,q4'), deduplicated
 * in QUANTIZE_DTYPES order. Throws an ExportError naming an unknown entry.
 */
export function parseQuantizeList(value: string | readonly string[]): QuantizeDType[] {
  const items = (typeof value === 'string' ? value.split(',') : [...value]).map((s) => s.trim());
  const unknown = items.find((s) => !(QUANTIZE_DTYPES as readonly string[]).includes(s));
  if (unknown !== undefined)
    throw new ExportError(
      `unknown quantization '${unknown}'; use any of ${QUANTIZE_DTYPES.join(', ')} (e.g. q8,q4)`,
      { option: 'quantize' },
    );
  return QUANTIZE_DTYPES.filter((d) => items.includes(d));
}

/** Checks a dtype name (fp32, q8, q4 or fp16); throws an ExportError otherwise. */
export function checkModelDType(dtype: string): ModelDType {
  if (!(MODEL_DTYPES as readonly string[]).includes(dtype))
    throw new ExportError(`unknown dtype '${dtype}'; use one of ${MODEL_DTYPES.join(', ')}`, {
      option: 'dtype',
    });
  return dtype as ModelDType;
}

/**
 * Path of the ONNX file for `dtype` in the export folder `exportDir`. Throws an
 * ExportError saying how to make it when the folder does not have it.
 */
export async function modelFileForDtype(exportDir: string, dtype: string): Promise<string> {
  const d = checkModelDType(dtype);
  const path = join(exportDir, 'onnx', MODEL_FILE_FOR_DTYPE[d]);
  const found = await access(path).then(
    () => true,
    () => false,
  );
  if (!found)
    throw new ExportError(
      d === 'fp32'
        ? `${path} is missing; is ${exportDir} an export folder? Run \`spinettai export\` first`
        : `${path} is missing: ${exportDir} has no ${d} model; export it with \`spinettai export --quantize ${d}\``,
      { path, option: 'dtype' },
    );
  return path;
}

/**
 * Writes the quantized variants of the float32 KV-cache `graph` into `onnxDir` (an
 * export's onnx/ folder, being built). Returns the files written.
 */
export async function writeQuantizedModels(
  graph: Graph,
  onnxDir: string,
  dtypes: readonly QuantizeDType[],
  opts: { externalData?: boolean | undefined; docString?: string } = {},
): Promise<string[]> {
  const files: string[] = [];
  for (const dtype of dtypes) {
    const q = quantizeGraph(graph, dtype);
    const written = await writeOnnxFile(q, join(onnxDir, MODEL_FILE_FOR_DTYPE[dtype]), {
      externalData: opts.externalData,
      docString: `${opts.docString ?? 'GPT-2 with KV cache'} (${dtype} weights)`,
    });
    files.push(...written);
  }
  return files;
}
