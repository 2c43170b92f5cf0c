// `spinettai train`: train a GPT-2 on a tokenized data folder, with a progress bar. Every
// flag maps onto one `TrainOptions` key; the defaults shown in --help are the trainer's own
// (TRAIN_DEFAULTS), and the library's messages are translated back to flag names.
import { LORA_DEFAULTS, LORA_TARGETS } from '@spinettai/model';
import { loadLyricsCorpus } from '@spinettai/model/node';
import { TRAIN_DEFAULTS, type TrainOptions, type TrainSummary, train } from '@spinettai/trainer';
import { type Command, Option } from 'commander';
import { copyMetricsOf, formatCopyMetrics } from '../copyMetrics.js';
import { UserError } from '../errors.js';
import { abortOnInterrupt } from '../interrupt.js';
import { addModelOptions } from '../modelOptions.js';
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
  optimizer: 'fused' | 'separate';
  resume: boolean;
  overwrite: boolean;
  initFrom?: string;
  allowTokenizerMismatch: boolean;
  loraRank?: number;
  loraAlpha?: number;
  loraTargets?: string[];
  loraDropout?: number;
  copyMetrics: boolean;
  corpus?: string;
}

/** The flag of each option a library message may name (as `name`). */
const FLAG_OF: Record<string, string> = {
  dataDir: '--data',
  outDir: '--out',
  model: 'the shape flags (--layers, --embd, --heads, --block)',
  'model.nLayer': '--layers',
  'model.nEmbd': '--embd',
  'model.nHead': '--heads',
  'model.blockSize': '--block',
  blockSize: '--block',
  nLayer: '--layers',
  nEmbd: '--embd',
  nHead: '--heads',
  batchSize: '--batch',
  gradAccum: '--grad-accum',
  steps: '--steps',
  maxTimeSeconds: '--max-time',
  lr: '--lr',
  minLr: '--min-lr',
  warmupSteps: '--warmup',
  weightDecay: '--weight-decay',
  gradClip: '--grad-clip',
  dropout: '--dropout',
  evalEvery: '--eval-every',
  evalBatches: '--eval-batches',
  saveEvery: '--save-every',
  seed: '--seed',
  threads: '--threads',
  optimizer: '--optimizer',
  resume: '--resume',
  overwrite: '--overwrite',
  initFrom: '--init-from',
  allowTokenizerMismatch: '--allow-tokenizer-mismatch',
  lora: '--lora-rank',
  'lora.rank': '--lora-rank',
  'lora.alpha': '--lora-alpha',
  'lora.targets': '--lora-targets',
  'lora.dropout': '--lora-dropout',
};

/** Rewrites the `optionName`s of a library message as the CLI's flags. */
export function toFlags(message: string): string {
  return message.replace(/`([A-Za-z][\w.]*)`/g, (whole, name: string) => FLAG_OF[name] ?? whole);
}

const D = TRAIN_DEFAULTS;

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description(
      'Train a GPT-2 from scratch (or fine-tune one) on a data folder written by `spinettai tokenize`.',
    )
    .requiredOption('--data <dir>', 'data folder (tokenizer.json, train.bin, val.bin, meta.json)')
    .requiredOption('--out <dir>', 'run folder: checkpoints/{last,best}, metrics.jsonl, loss.svg');
  addModelOptions(command)
    .option('--batch <n>', 'sequences per micro-batch', positiveInt, D.batchSize)
    .option('--grad-accum <n>', 'micro-batches per optimizer step', positiveInt, D.gradAccum)
    .option('--steps <n>', 'optimizer steps', positiveInt, D.steps)
    .option('--max-time <duration>', 'stop after this much training time (e.g. 180, 10m, 1h)', duration)
    .option('--lr <lr>', 'peak learning rate', positiveNumber, D.lr)
    .option(
      '--min-lr <lr>',
      `learning rate at the end of the cosine decay (default: lr × ${D.minLrRatio})`,
      nonNegativeNumber,
    )
    .option('--warmup <steps>', 'linear warm-up steps', nonNegativeInt, D.warmupSteps)
    .option('--weight-decay <wd>', 'AdamW weight decay on 2-D weights', nonNegativeNumber, D.weightDecay)
    .option(
      '--grad-clip <norm>',
      'clip the global gradient norm to this (0 = off)',
      nonNegativeNumber,
      D.gradClip,
    )
    .option('--dropout <p>', 'dropout probability in [0, 1)', fraction, D.dropout)
    .option('--eval-every <steps>', 'evaluate on the validation set every N steps', positiveInt, D.evalEvery)
    .option('--eval-batches <n>', 'validation batches per evaluation', positiveInt, D.evalBatches)
    .option('--save-every <steps>', 'save checkpoints/last every N steps', positiveInt, D.saveEvery)
    .option('--seed <n>', 'seed of initialisation, batches and dropout', nonNegativeInt, D.seed)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .addOption(
      new Option('--optimizer <where>', 'where AdamW runs: inside the backward graph, or as its own graph')
        .choices(['fused', 'separate'])
        .default(D.optimizer),
    )
    .option('--resume', 'continue the run in --out from checkpoints/last', false)
    .option(
      '--overwrite',
      'start over in an --out that holds a run: delete its metrics, loss curve and checkpoints (only files spinettai wrote)',
      false,
    )
    .option('--init-from <checkpoint>', 'start from these weights (fine-tuning) with a fresh optimizer')
    .option(
      '--allow-tokenizer-mismatch',
      "with --init-from: accept a checkpoint whose tokenizer.json differs from the data folder's",
      false,
    )
    .option(
      '--lora-rank <r>',
      'with --init-from: train a LoRA adapter of this rank instead of all weights (checkpoints are PEFT adapter folders)',
      positiveInt,
    )
    .option(
      '--lora-alpha <a>',
      `LoRA scaling numerator (update × alpha/r; default ${LORA_DEFAULTS.alpha})`,
      positiveNumber,
    )
    .option(
      '--lora-targets <modules>',
      `comma-separated modules to adapt, of ${LORA_TARGETS.join(',')} (default ${LORA_DEFAULTS.targets.join(',')})`,
      (v: string) =>
        v
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
    )
    .option(
      '--lora-dropout <p>',
      `dropout on the adapters' input (default ${LORA_DEFAULTS.dropout})`,
      fraction,
    )
    .option(
      '--copy-metrics',
      'at each evaluation, sample 2 songs and log how much of them is copied from the training lyrics',
      false,
    )
    .option(
      '--corpus <path>',
      'training lyrics for --copy-metrics: corpus file or data folder (default: --data)',
    )
    .action(async (flags: TrainFlags, cmd: Command) => {
      // Shape flags the user did not type stay unset, so --resume / --init-from take the
      // checkpoint's shape instead of comparing it with the defaults.
      const given = (name: keyof TrainFlags) => cmd.getOptionValueSource(name) !== 'default';
      await trainWithProgress({
        dataDir: flags.data,
        outDir: flags.out,
        model: {
          nLayer: given('layers') ? flags.layers : undefined,
          nEmbd: given('embd') ? flags.embd : undefined,
          nHead: given('heads') ? flags.heads : undefined,
          blockSize: given('block') ? flags.block : undefined,
        },
        batchSize: flags.batch,
        gradAccum: flags.gradAccum,
        steps: flags.steps,
        maxTimeSeconds: flags.maxTime,
        lr: flags.lr,
        minLr: flags.minLr,
        warmupSteps: flags.warmup,
        weightDecay: flags.weightDecay,
        gradClip: flags.gradClip,
        dropout: flags.dropout,
        evalEvery: flags.evalEvery,
        evalBatches: flags.evalBatches,
        saveEvery: flags.saveEvery,
        seed: flags.seed,
        threads: flags.threads,
        optimizer: flags.optimizer,
        resume: flags.resume,
        overwrite: flags.overwrite,
        initFrom: flags.initFrom,
        allowTokenizerMismatch: flags.allowTokenizerMismatch,
        lora: loraOf(flags),
        copyMetrics: flags.copyMetrics ? { corpus: flags.corpus ?? flags.data } : undefined,
      });
    });
}

/** The `lora` option of the --lora-* flags; the others without --lora-rank are a user mistake. */
function loraOf(f: TrainFlags): TrainOptions['lora'] {
  if (f.loraRank === undefined) {
    const stray = (['loraAlpha', 'loraTargets', 'loraDropout'] as const).find((k) => f[k] !== undefined);
    if (stray !== undefined)
      throw new UserError(
        `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --lora-rank (LoRA is on only with a rank)`,
      );
    return undefined;
  }
  return { rank: f.loraRank, alpha: f.loraAlpha, targets: f.loraTargets, dropout: f.loraDropout };
}

/** Runs the trainer with a progress bar and prints the summary; shared with `demo`. */
export async function trainWithProgress({
  copyMetrics,
  ...options
}: TrainOptions & { steps: number; copyMetrics?: { corpus: string } | undefined }): Promise<TrainSummary> {
  const corpus = copyMetrics === undefined ? undefined : await loadLyricsCorpus(copyMetrics.corpus);
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
            ...(Number.isFinite(s.etaSeconds) ? { etaSec: s.etaSeconds } : {}),
          }),
        onEval: async (e) => {
          progress.update(e.step, { val: e.valLoss.toFixed(3) });
          progress.log(
            `step ${e.step}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}`,
          );
          if (corpus === undefined) return;
          const { config, params } = e.weights();
          const m = await copyMetricsOf(config, params, {
            dataDir: options.dataDir,
            corpus,
            threads: options.threads,
          });
          progress.log(formatCopyMetrics(e.step, m.copy));
        },
        onWarning: (message) => progress.log(`warning: ${toFlags(message)}`),
      },
    );
    progress.stop();
    process.stdout.write(`${formatSummary(summary)}\n`);
    return summary;
  } catch (err) {
    if (err instanceof Error) err.message = toFlags(err.message);
    throw err;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

function formatSummary(s: TrainSummary): string {
  const loss = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  const why = { steps: 'all steps done', time: 'time budget reached', signal: 'interrupted' }[s.stoppedBy];
  return [
    `trained ${s.step}/${s.steps} steps (${why}) in ${Math.round(s.elapsedSeconds)} s, ${Math.round(s.tokensPerSec)} tokens/s`,
    `model: ${s.config.nLayer} layers, ${s.config.nEmbd} embd, ${s.config.nHead} heads, context ${s.config.blockSize}, vocab ${s.config.vocabSize} (${(s.params / 1e6).toFixed(2)}M parameters), dropout ${s.config.dropout}`,
    `loss: train ${loss(s.trainLoss)}, val ${loss(s.valLoss)}, best val ${loss(s.bestValLoss)}${s.bestStep === null ? '' : ` at step ${s.bestStep}`}`,
    `checkpoints: ${s.lastCheckpoint}${s.bestCheckpoint ? `, ${s.bestCheckpoint}` : ''}`,
    `metrics: ${s.metricsPath}, loss curve: ${s.lossCurvePath}`,
  ].join('\n');
}
