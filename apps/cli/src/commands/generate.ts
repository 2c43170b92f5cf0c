// `spinettai generate`: write new lyrics from a checkpoint or export folder, streaming to stdout.
import { type GenerateOptions, Generator } from '@spinettai/model';
import type { Command } from 'commander';
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
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'Generate lyrics with a trained checkpoint or an exported ONNX folder, streaming text as it is written.',
    )
    .requiredOption('--model <dir>', 'checkpoint folder (runs/x/checkpoints/best) or export folder')
    .option('--prompt <text>', 'text to continue (default: start a new song)', '')
    .option('--max-tokens <n>', 'maximum new tokens per sample', nonNegativeInt, 300)
    .option('--temperature <t>', 'sampling temperature; 0 = greedy', nonNegativeNumber, 0.8)
    .option('--top-k <k>', 'sample among the k most likely tokens; 0 = off', nonNegativeInt, 40)
    .option('--top-p <p>', 'nucleus sampling probability mass', probability, 0.95)
    .option('--repetition-penalty <r>', 'penalty for tokens already generated; 1 = off', positiveNumber, 1.1)
    .option('--seed <n>', 'seed for reproducible sampling (default: random)', nonNegativeInt)
    .option('--num-samples <n>', 'how many samples to write', positiveInt, 1)
    .option('--stop <text>', 'stop when this text is generated (repeatable)', collect)
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt)
    .action(async (flags: GenerateFlags) => {
      const interrupt = abortOnInterrupt();
      const generator = await Generator.load(flags.model, { threads: flags.threads });
      try {
        const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
        for (let i = 0; i < flags.numSamples && !interrupt.signal.aborted; i++) {
          if (flags.numSamples > 1)
            process.stdout.write(`${i > 0 ? '\n' : ''}=== sample ${i + 1} (seed ${seed + i}) ===\n`);
          const options: GenerateOptions = {
            maxNewTokens: flags.maxTokens,
            temperature: flags.temperature,
            topK: flags.topK,
            topP: flags.topP,
            repetitionPenalty: flags.repetitionPenalty,
            seed: seed + i,
            stop: flags.stop ?? [],
            signal: interrupt.signal,
          };
          process.stdout.write(flags.prompt);
          for await (const piece of generator.stream(flags.prompt, options)) process.stdout.write(piece);
          process.stdout.write('\n');
        }
      } finally {
        await generator.release();
        interrupt.dispose();
      }
    });
}
