// `spinettai export`: write the ONNX export folder (Hugging Face Optimum decoder layout).
import { exportOnnx } from '@spinettai/model/node';
import type { Command } from 'commander';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Export a checkpoint as onnx/model.onnx with past/present key-values (Optimum layout) for transformers.js and onnxruntime-web.',
    )
    .requiredOption('--model <dir>', 'checkpoint folder')
    .requiredOption('--out <dir>', 'export folder to write')
    .action(async (flags: { model: string; out: string }) => {
      await exportOnnx(flags.model, flags.out);
      process.stdout.write(
        `exported ${flags.model} to ${flags.out} (onnx/model.onnx, config.json, tokenizer files)\n`,
      );
    });
}
