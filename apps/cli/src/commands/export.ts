// `spinettai export`: write the ONNX export folder (Hugging Face Optimum decoder layout).
import { DEFAULT_MAX_COPY_WORDS, ModelError, parseQuantizeList, type QuantizeDType } from '@spinettai/model';
import { exportOnnx, loadLyricsCorpus } from '@spinettai/model/node';
import { type Command, InvalidArgumentError } from 'commander';
import { corpusFor } from '../corpus.js';
import { UserError } from '../errors.js';
import { nonNegativeInt } from '../options.js';
import { GUARD_FILE, pageGuard, writePage } from '../serve/page.js';

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
      '--corpus <path>',
      "with --web: training lyrics for the page's copied-lyrics guard (default: the checkpoint's data folder)",
    )
    .option(
      '--max-copy-words <n>',
      'with --web: the page never writes this many consecutive words of the training lyrics; 0 = no guard',
      nonNegativeInt,
      DEFAULT_MAX_COPY_WORDS,
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
        corpus?: string;
        maxCopyWords: number;
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
          if (flags.maxCopyWords === 1) throw new UserError('--max-copy-words must be 0 (off) or at least 2');
          const corpus = await corpusFor(flags.model, flags.corpus);
          const lyrics =
            corpus === undefined || flags.maxCopyWords === 0 ? undefined : await loadLyricsCorpus(corpus);
          const written = await writePage(flags.out, pageGuard(lyrics, flags.maxCopyWords));
          process.stdout.write(
            `wrote the lyrics page into ${flags.out}: serve the folder with any static file server (e.g. python3 -m http.server -d ${flags.out}) and open index.html\n`,
          );
          process.stdout.write(
            written.includes(GUARD_FILE)
              ? `the page's copied-lyrics guard is on: no ${flags.maxCopyWords} consecutive words of ${corpus} (${GUARD_FILE} holds hashes, no lyrics)\n`
              : 'the page has no copied-lyrics guard: pass --corpus <corpus file or data folder> to add one\n',
          );
        }
      },
    );
}
