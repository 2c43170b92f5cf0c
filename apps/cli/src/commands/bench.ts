// `spinettai bench train|generate`: time the real training step or generation loop
// on random tokens after a warm-up and print one JSON line (read by bench/ scripts).
import { DEFAULT_GPT_CONFIG, MODEL_DTYPES, type ModelDType } from '@spinettai/model';
import { benchGenerate } from '@spinettai/model/node';
import { BENCH_TRAIN_DEFAULTS, benchTrain } from '@spinettai/trainer';
import { Argument, type Command, Option } from 'commander';
import { addModelOptions } from '../modelOptions.js';
import { positiveInt } from '../options.js';

interface BenchFlags {
  layers: number;
  embd: number;
  heads: number;
  block: number;
  vocab: number;
  batch: number;
  steps: number;
  warmup: number;
  promptTokens: number;
  newTokens: number;
  kvCache: boolean;
  threads?: number;
  model?: string;
  dtype: ModelDType;
  loraRank?: number;
}

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .description('Measure training or generation speed on random tokens and print one JSON line.')
    .addArgument(new Argument('<what>', 'what to measure').choices(['train', 'generate']));
  addModelOptions(command)
    .option('--vocab <n>', 'vocabulary size', positiveInt, DEFAULT_GPT_CONFIG.vocabSize)
    .option('--batch <n>', 'train: sequences per step', positiveInt, BENCH_TRAIN_DEFAULTS.batch)
    .option('--steps <n>', 'train: timed steps', positiveInt, BENCH_TRAIN_DEFAULTS.steps)
    .option('--warmup <n>', 'train: untimed warm-up steps', positiveInt, BENCH_TRAIN_DEFAULTS.warmup)
    .option(
      '--lora-rank <r>',
      'train: train a LoRA adapter of this rank (targets c_attn) over a frozen base instead of every weight',
      positiveInt,
    )
    .option('--prompt-tokens <n>', 'generate: prompt length', positiveInt, 32)
    .option('--new-tokens <n>', 'generate: tokens to generate', positiveInt, 256)
    .option('--no-kv-cache', 'generate: recompute the whole window at every step')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .option(
      '--model <dir>',
      'generate: time this export folder instead of random weights (shape flags ignored)',
    )
    .addOption(
      new Option(
        '--dtype <dtype>',
        "generate: weights to time (the export's file for it, or quantized random weights)",
      )
        .choices(MODEL_DTYPES)
        .default('fp32'),
    )
    .action(async (what: 'train' | 'generate', flags: BenchFlags) => {
      const config = {
        nLayer: flags.layers,
        nEmbd: flags.embd,
        nHead: flags.heads,
        blockSize: flags.block,
        vocabSize: flags.vocab,
      };
      const result =
        what === 'train'
          ? await benchTrain(config, {
              batch: flags.batch,
              steps: flags.steps,
              warmup: flags.warmup,
              threads: flags.threads,
              lora: flags.loraRank === undefined ? undefined : { rank: flags.loraRank },
            })
          : await benchGenerate(config, {
              promptTokens: flags.promptTokens,
              newTokens: flags.newTokens,
              kvCache: flags.kvCache,
              threads: flags.threads,
              model: flags.model,
              dtype: flags.dtype,
            });
      const shape = flags.model === undefined ? { config } : { model: flags.model };
      process.stdout.write(`${JSON.stringify({ bench: what, ...shape, ...result })}\n`);
    });
}
