// `spinettai generate`: write new lyrics from a checkpoint or export folder, streaming to stdout.
import { DEFAULT_SAMPLING, type GenerateOptions, MODEL_DTYPES, type ModelDType } from '@spinettai/model';
import { loadTextGenerator } from '@spinettai/model/node';
import { type Command, Option } from 'commander';
import { corpusFor } from '../corpus.js';
import { UserError } from '../errors.js';
import { abortOnInterrupt } from '../interrupt.js';
import {
  collect,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
  probability,
} from '../options.js';

interface GenerateFlags {
  model: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  seed?: number;
  numSamples: number;
  stop?: string[];
  threads?: number;
  dtype: ModelDType;
  artist?: string;
  maxCopyWords: number;
  corpus?: string;
  repeatNgram: number;
  minTokens: number;
  base?: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'Generate lyrics with a trained checkpoint or an exported ONNX folder, streaming text as it is written.',
    )
    .requiredOption(
      '--model <dir>',
      'checkpoint folder (runs/x/checkpoints/best), LoRA adapter folder or export folder',
    )
    .option(
      '--base <dir>',
      "for a LoRA adapter folder: its base model folder (default: the adapter's base_model_name_or_path)",
    )
    .option('--prompt <text>', 'text to continue (default: start a new song)', '')
    // Defaults: the library's DEFAULT_SAMPLING (one owner; --help shows them).
    .option(
      '--max-tokens <n>',
      'maximum new tokens per sample',
      nonNegativeInt,
      DEFAULT_SAMPLING.maxNewTokens,
    )
    .option(
      '--temperature <t>',
      'sampling temperature; 0 = greedy',
      nonNegativeNumber,
      DEFAULT_SAMPLING.temperature,
    )
    .option(
      '--top-k <k>',
      'sample among the k most likely tokens; 0 = off',
      nonNegativeInt,
      DEFAULT_SAMPLING.topK,
    )
    .option('--top-p <p>', 'nucleus sampling probability mass; 1 = off', probability, DEFAULT_SAMPLING.topP)
    .option(
      '--repetition-penalty <r>',
      'penalty for tokens already in the context; 1 = off',
      positiveNumber,
      DEFAULT_SAMPLING.repetitionPenalty,
    )
    .option('--seed <n>', 'seed for reproducible sampling (default: random)', nonNegativeInt)
    .option(
      '--num-samples <n>',
      'how many samples to write, decoded as one batch (sample i uses seed + i)',
      positiveInt,
      1,
    )
    .option('--stop <text>', 'stop when this text is generated (repeatable)', collect)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt)
    .addOption(
      new Option(
        '--dtype <dtype>',
        "weights to run: an export folder's file for it (export --quantize), or a checkpoint quantized in memory",
      )
        .choices(MODEL_DTYPES)
        .default('fp32'),
    )
    .option(
      '--artist <name>',
      'write as this artist (a model tokenized with --condition artist; `info` lists them)',
    )
    .option(
      '--max-copy-words <n>',
      'never write this many consecutive words of the training lyrics (≥ 2); 0 = off',
      nonNegativeInt,
      0,
    )
    .option(
      '--corpus <path>',
      "training lyrics for --max-copy-words: corpus file or data folder (default: the checkpoint's data folder)",
    )
    .addOption(
      new Option(
        '--no-repeat-ngram <n>',
        'never repeat an n-gram of tokens (Hugging Face no_repeat_ngram_size); 0 = off',
      )
        .argParser(nonNegativeInt)
        .default(0),
    )
    .option('--min-tokens <n>', 'no end of song before this many new tokens', nonNegativeInt, 0)
    .action(async (flags: GenerateFlags) => {
      if (flags.maxCopyWords === 1) throw new UserError('--max-copy-words must be 0 (off) or at least 2');
      const corpus = flags.maxCopyWords > 0 ? await corpusFor(flags.model, flags.corpus) : undefined;
      if (flags.maxCopyWords > 0 && corpus === undefined)
        throw new UserError(
          `--max-copy-words needs the training lyrics, and ${flags.model} does not record an existing data folder: pass --corpus <corpus file or data folder>`,
        );
      const interrupt = abortOnInterrupt();
      const generator = await loadTextGenerator(flags.model, {
        threads: flags.threads,
        dtype: flags.dtype,
        corpus,
        base: flags.base,
      });
      try {
        const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
        const options: GenerateOptions = {
          maxNewTokens: flags.maxTokens,
          temperature: flags.temperature,
          topK: flags.topK,
          topP: flags.topP,
          repetitionPenalty: flags.repetitionPenalty,
          seed,
          stop: flags.stop ?? [],
          signal: interrupt.signal,
          artist: flags.artist,
          maxCopyWords: flags.maxCopyWords,
          noRepeatNgram: flags.repeatNgram,
          minNewTokens: flags.minTokens,
        };
        if (flags.numSamples === 1) {
          const pieces = generator.stream(flags.prompt, options); // options checked here
          process.stdout.write(flags.prompt);
          for await (const piece of pieces) process.stdout.write(piece);
          process.stdout.write('\n');
        } else {
          // One batch (sample i uses seed + i); each sample is printed as soon as it and
          // the samples before it are done, so the output reads like N separate runs.
          const done: (string | undefined)[] = [];
          let printed = 0;
          await generator.generateBatch(flags.prompt, flags.numSamples, {
            ...options,
            onSample: (i, result) => {
              done[i] = result.text;
              for (; done[printed] !== undefined; printed++)
                process.stdout.write(
                  `${printed > 0 ? '\n' : ''}=== sample ${printed + 1} (seed ${seed + printed}) ===\n${flags.prompt}${done[printed]}\n`,
                );
            },
          });
        }
      } finally {
        await generator.release();
        interrupt.dispose();
      }
    });
}
