// `spinettai train`: train a GPT-2 on a tokenized data folder, with a progress bar.
import { type TrainOptions, type TrainSummary, train } from '@spinettai/trainer';
import type { Command } from 'commander';
import { abortOnInterrupt } from '../interrupt.js';
import { addModelOptions } from '../model-options.js';
import {
  duration,
  fraction,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
} from '../options.js';
import { createProgress } from '../ui/progress.js';

interface TrainFlags {
  data: string;
  out: string;
  layers: number;
  embd: number;
  heads: number;
  block: number;
  batch: number;
  gradAccum: number;
  steps: number;
  maxTime?: number;
  lr: number;
  minLr?: number;
  warmup: number;
  weightDecay: number;
  gradClip: number;
  dropout: number;
  evalEvery: number;
  evalBatches: number;
  saveEvery: number;
  seed: number;
  threads?: number;
  resume: boolean;
  initFrom?: string;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description(
      'Train a GPT-2 from scratch (or fine-tune one) on a data folder written by `spinettai tokenize`.',
    )
    .requiredOption('--data <dir>', 'data folder (tokenizer.json, train.bin, val.bin, meta.json)')
    .requiredOption('--out <dir>', 'run folder: checkpoints/{last,best}, metrics.jsonl, loss.svg');
  addModelOptions(command)
    .option('--batch <n>', 'sequences per micro-batch', positiveInt, 16)
    .option('--grad-accum <n>', 'micro-batches per optimizer step', positiveInt, 1)
    .option('--steps <n>', 'optimizer steps', positiveInt, 2000)
    .option('--max-time <duration>', 'stop after this much training time (e.g. 180, 10m, 1h)', duration)
    .option('--lr <lr>', 'peak learning rate', positiveNumber, 1e-3)
    .option(
      '--min-lr <lr>',
      'learning rate at the end of the cosine decay (default lr/10)',
      nonNegativeNumber,
    )
    .option('--warmup <steps>', 'linear warm-up steps', nonNegativeInt, 100)
    .option('--weight-decay <wd>', 'AdamW weight decay on 2-D weights', nonNegativeNumber, 0.1)
    .option('--grad-clip <norm>', 'clip the global gradient norm to this (0 = off)', nonNegativeNumber, 1.0)
    .option('--dropout <p>', 'dropout probability', fraction, 0.1)
    .option('--eval-every <steps>', 'evaluate on the validation set every N steps', positiveInt, 100)
    .option('--eval-batches <n>', 'validation batches per evaluation', positiveInt, 8)
    .option('--save-every <steps>', 'save checkpoints/last every N steps', positiveInt, 200)
    .option('--seed <n>', 'seed of initialisation, batches and dropout', nonNegativeInt, 1337)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .option('--resume', 'continue the run in --out from checkpoints/last', false)
    .option('--init-from <checkpoint>', 'start from these weights (fine-tuning) with a fresh optimizer')
    .action(async (flags: TrainFlags) => {
      await trainWithProgress({
        dataDir: flags.data,
        outDir: flags.out,
        model: {
          nLayer: flags.layers,
          nEmbd: flags.embd,
          nHead: flags.heads,
          blockSize: flags.block,
          dropout: flags.dropout,
        },
        batchSize: flags.batch,
        gradAccum: flags.gradAccum,
        steps: flags.steps,
        maxTimeSec: flags.maxTime,
        lr: flags.lr,
        minLr: flags.minLr ?? flags.lr / 10,
        warmupSteps: flags.warmup,
        weightDecay: flags.weightDecay,
        gradClip: flags.gradClip,
        evalEvery: flags.evalEvery,
        evalBatches: flags.evalBatches,
        saveEvery: flags.saveEvery,
        seed: flags.seed,
        threads: flags.threads,
        resume: flags.resume,
        initFrom: flags.initFrom,
      });
    });
}

/** Runs the trainer with a progress bar and prints the summary; shared with `demo`. */
export async function trainWithProgress(options: TrainOptions & { steps: number }): Promise<TrainSummary> {
  // Ctrl-C stops training cleanly: the trainer evaluates and saves checkpoints/last first.
  const interrupt = abortOnInterrupt();
  const progress = createProgress({
    label: 'train',
    total: options.steps,
    unit: 'steps',
    describe: (f) =>
      [
        `loss ${f['loss'] ?? '-'}`,
        `val ${f['val'] ?? '-'}`,
        `lr ${f['lr'] ?? '-'}`,
        `${f['tps'] ?? '-'} tok/s`,
      ].join(' | '),
  });
  try {
    const summary = await train(
      { ...options, signal: interrupt.signal },
      {
        onStep: (s) =>
          progress.update(s.step, {
            loss: s.loss.toFixed(3),
            lr: s.lr.toExponential(1),
            tps: Math.round(s.tokensPerSec),
            ...(Number.isFinite(s.etaSec) ? { etaSec: s.etaSec } : {}),
          }),
        onEval: (e) => {
          progress.update(e.step, { val: e.valLoss.toFixed(3) });
          progress.log(
            `step ${e.step}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}`,
          );
        },
        onWarning: (message) => progress.log(`warning: ${message}`),
      },
    );
    progress.stop();
    process.stdout.write(`${formatSummary(summary)}\n`);
    return summary;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

function formatSummary(s: TrainSummary): string {
  const loss = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  const why = { steps: 'all steps done', time: 'time budget reached', signal: 'interrupted' }[s.stoppedBy];
  return [
    `trained ${s.step}/${s.steps} steps (${why}) in ${Math.round(s.elapsedSec)} s, ${Math.round(s.tokensPerSec)} tokens/s`,
    `model: ${s.config.nLayer} layers, ${s.config.nEmbd} embd, ${s.config.nHead} heads, context ${s.config.blockSize}, vocab ${s.config.vocabSize} (${(s.params / 1e6).toFixed(2)}M parameters)`,
    `loss: train ${loss(s.trainLoss)}, val ${loss(s.valLoss)}, best val ${loss(s.bestValLoss)}${s.bestStep === null ? '' : ` at step ${s.bestStep}`}`,
    `checkpoints: ${s.lastCheckpoint}${s.bestCheckpoint ? `, ${s.bestCheckpoint}` : ''}`,
    `metrics: ${s.metricsPath}, loss curve: ${s.lossCurvePath}`,
  ].join('\n');
}
