// The Node side of quantized exports: finding the file of a dtype in an export folder
// (names from MODEL_FILE_FOR_DTYPE in quantize.ts) and writing the quantized files beside
// onnx/model.onnx while exportOnnx builds the folder.

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Graph } from '@spinettai/graph';
import { fromHfConfig, type GPTConfig } from '../config.js';
import { ExportError } from './errors.js';
import { writeOnnxFile } from './onnxFile.js';
import { checkModelDType, MODEL_FILE_FOR_DTYPE, type QuantizeDType, quantizeGraph } from './quantize.js';

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

/** The ONNX file of `dtype` in an export folder and the model shape from its config.json. */
export async function readExportModel(
  exportDir: string,
  dtype: string,
): Promise<{ modelPath: string; config: GPTConfig }> {
  const modelPath = await modelFileForDtype(exportDir, dtype);
  const configPath = join(exportDir, 'config.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ExportError(
      `cannot read ${configPath} (${(err as Error).message}); is ${exportDir} an export folder?`,
      {
        path: configPath,
      },
    );
  }
  return { modelPath, config: fromHfConfig(json) };
}
