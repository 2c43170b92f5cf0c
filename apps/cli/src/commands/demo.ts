// `spinettai demo`: the whole pipeline on the bundled original sample corpus —
// tokenize, train for about three minutes, export, and write three songs.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportOnnx, Generator } from '@spinettai/model';
import { tokenizeCorpus } from '@spinettai/tokenizer';
import type { Command } from 'commander';
import { duration, nonNegativeInt } from '../options.js';
import { trainWithProgress } from './train.js';

/** The original sample corpus shipped with the CLI (written for this project; no real lyrics). */
export const DEMO_CORPUS = fileURLToPath(new URL('../../data/demo-corpus.jsonl', import.meta.url));

/** Sized to train in about three minutes on two CPU cores. */
export const DEMO_MODEL = { nLayer: 4, nEmbd: 128, nHead: 4, blockSize: 128, dropout: 0.2 } as const;

const PROMPTS = ['', 'Cuando', 'El río'];

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline on the bundled sample corpus: tokenize, train (~3 min), export, write 3 songs.',
    )
    .option('--out <dir>', 'run folder to write', 'runs/demo')
    .option('--max-time <duration>', 'training time budget', duration, 180)
    .option('--seed <n>', 'seed of the whole run', nonNegativeInt, 1337)
    .action(async (flags: { out: string; maxTime: number; seed: number }) => {
      const out = resolve(flags.out);
      const dataDir = join(out, 'data');
      const say = (line: string) => process.stdout.write(`${line}\n`);

      say(`1/4 tokenize ${DEMO_CORPUS}`);
      const { meta } = await tokenizeCorpus({
        corpusPath: DEMO_CORPUS,
        outDir: dataDir,
        vocabSize: 512,
        minFrequency: 2,
        valFraction: 0.1,
        seed: flags.seed,
      });
      say(
        `    vocab ${meta.vocab_size}, ${meta.splits.train.tokens} train / ${meta.splits.val.tokens} val tokens`,
      );

      say(
        `2/4 train a ${DEMO_MODEL.nLayer}-layer GPT-2 (${DEMO_MODEL.nEmbd} embd) for up to ${Math.round(flags.maxTime)} s`,
      );
      await trainWithProgress({
        dataDir,
        outDir: out,
        model: DEMO_MODEL,
        batchSize: 16,
        gradAccum: 1,
        steps: 1000,
        maxTimeSec: flags.maxTime,
        lr: 2e-3,
        minLr: 2e-4,
        warmupSteps: 50,
        weightDecay: 0.1,
        gradClip: 1.0,
        evalEvery: 50,
        evalBatches: 4,
        saveEvery: 100,
        seed: flags.seed,
        resume: false,
      });

      const exportDir = join(out, 'export');
      say(`3/4 export ${join(out, 'checkpoints', 'best')} → ${exportDir}`);
      await exportOnnx(join(out, 'checkpoints', 'best'), exportDir);

      say('4/4 three new songs\n');
      const generator = await Generator.load(exportDir);
      try {
        for (const [i, prompt] of PROMPTS.entries()) {
          say(`--- canción ${i + 1} ---`);
          process.stdout.write(prompt);
          for await (const piece of generator.stream(prompt, {
            maxNewTokens: 160,
            temperature: 0.8,
            topK: 40,
            topP: 0.95,
            repetitionPenalty: 1.1,
            seed: flags.seed + i,
          })) {
            process.stdout.write(piece);
          }
          say('\n');
        }
      } finally {
        await generator.release();
      }
      say(`Done. The run folder is ${out}:`);
      say(`  checkpoints/{last,best}  metrics.jsonl  loss.svg  data/  export/`);
      say(`Try: spinettai generate --model ${exportDir} --prompt "La luna"`);
    });
}
