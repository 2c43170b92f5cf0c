// `spinettai export`: write the ONNX export folder (Hugging Face Optimum decoder layout).
import { ModelError, parseQuantizeList, type QuantizeDType } from '@spinettai/model';
import { exportOnnx } from '@spinettai/model/node';
import { type Command, InvalidArgumentError } from 'commander';
import { writePage } from '../serve/page.js';

function quantizeList(value: string): QuantizeDType[] {
  try {
    return parseQuantizeList(value);
  } catch (e) {
    throw e instanceof ModelError ? new InvalidArgumentError(e.message) : e;
  }
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Export a checkpoint as onnx/model.onnx with past/present key-values (Optimum layout) for transformers.js and onnxruntime-web.',
    )
    .requiredOption(
      '--model <dir>',
      'checkpoint folder, or a LoRA adapter folder (exported merged into its base)',
    )
    .option(
      '--base <dir>',
      "for a LoRA adapter folder: its base model folder (default: the adapter's base_model_name_or_path)",
    )
    .requiredOption('--out <dir>', 'export folder to write (new or empty)')
    .option(
      '--quantize <list>',
      'also write quantized weights beside onnx/model.onnx: any of q8,q4,fp16 (comma-separated)',
      quantizeList,
    )
    .option(
      '--web',
      'also write the lyrics page (index.html + onnxruntime-web), making the folder a static site for any static file server',
      false,
    )
    .option(
      '--overwrite',
      'replace an earlier export in --out (never a folder spinettai did not write)',
      false,
    )
    .action(
      async (flags: {
        model: string;
        out: string;
        overwrite: boolean;
        web: boolean;
        quantize?: QuantizeDType[];
        base?: string;
      }) => {
        const r = await exportOnnx(flags.model, flags.out, {
          overwrite: flags.overwrite,
          quantize: flags.quantize,
          base: flags.base,
        });
        const onnx = r.files.filter((f) => f.startsWith('onnx/')).join(', ');
        process.stdout.write(
          `exported ${flags.model} to ${flags.out} (${onnx}, config.json, tokenizer files)\n`,
        );
        if (flags.web) {
          await writePage(flags.out);
          process.stdout.write(
            `wrote the lyrics page into ${flags.out}: serve the folder with any static file server (e.g. python3 -m http.server -d ${flags.out}) and open index.html\n`,
          );
        }
      },
    );
}
