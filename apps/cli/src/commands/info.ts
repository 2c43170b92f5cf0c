// `spinettai info`: what a corpus, data folder, checkpoint, run or export folder holds.
// Every file is read through its package's loader (loadCheckpoint, fromHfConfig,
// readTrainerState, verifyDatasetFolder), so a damaged folder is reported as damaged (exit 1).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { artistsOf, ConfigError, fromHfConfig, type GPTConfig } from '@spinettai/model';
import { isAdapterFolder, loadModelWeights } from '@spinettai/model/node';
import { loadTokenizer, readCorpus, verifyDatasetFolder } from '@spinettai/tokenizer/node';
import { readTrainerState, TRAINER_STATE_JSON } from '@spinettai/trainer';
import type { Command } from 'commander';
import { UserError } from '../errors.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('Describe a corpus file, data folder, checkpoint, run folder or export folder.')
    .argument('<path>', 'file or folder to describe')
    .option(
      '--base <dir>',
      "for a LoRA adapter folder: its base model folder (default: the adapter's base_model_name_or_path)",
    )
    .action(async (path: string, flags: { base?: string }) => {
      if (!existsSync(path)) throw new UserError(`no such file or folder: ${path}`);
      process.stdout.write(`${(await describe(path, flags.base)).join('\n')}\n`);
    });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);

async function describe(path: string, base: string | undefined): Promise<string[]> {
  if (statSync(path).isFile()) return describeCorpus(path);
  if (existsSync(join(path, 'meta.json'))) return describeDataset(path);
  if (existsSync(join(path, 'checkpoints'))) return describeRun(path, base);
  if (existsSync(join(path, 'onnx', 'model.onnx'))) return describeExport(path);
  if (existsSync(join(path, 'config.json')) || (await isAdapterFolder(path)))
    return describeCheckpoint(path, base);
  throw new UserError(`${path} is not a corpus, data folder, checkpoint, run folder or export folder`);
}

async function describeCorpus(path: string): Promise<string[]> {
  const songs = await readCorpus(path);
  const chars = songs.reduce((n, s) => n + s.lyrics.length, 0);
  return [
    `corpus ${path} (${mb(size(path))})`,
    `  songs: ${songs.length}`,
    `  characters of lyrics: ${chars}`,
  ];
}

async function describeDataset(dir: string): Promise<string[]> {
  // Whole or refused: sizes match meta.json and tokenizer.json is the one it was encoded with.
  const meta = await verifyDatasetFolder(dir);
  return [
    `data folder ${dir}`,
    `  vocab size: ${meta.vocab_size} (${meta.dtype} token files)`,
    `  train: ${meta.splits.train.tokens} tokens, ${meta.splits.train.songs} songs (${mb(size(join(dir, 'train.bin')))})`,
    `  val:   ${meta.splits.val.tokens} tokens, ${meta.splits.val.songs} songs (${mb(size(join(dir, 'val.bin')))})`,
    `  tokenizer sha256: ${meta.tokenizer_sha256}`,
    ...artistLines(Object.keys(meta.artists ?? {})),
  ];
}

const artistLines = (names: readonly string[]) =>
  names.length === 0 ? [] : [`  artists (generate --artist): ${names.join(', ')}`];

/** The artists of a model folder's tokenizer.json (artist conditioning), for `generate --artist`. */
async function modelArtists(dir: string): Promise<string[]> {
  if (!existsSync(join(dir, 'tokenizer.json'))) return [];
  return [...artistsOf(await loadTokenizer(dir)).keys()];
}

const modelLine = (c: GPTConfig) =>
  `  model: GPT-2, ${c.nLayer} layers, ${c.nEmbd} embd, ${c.nHead} heads, context ${c.blockSize}, vocab ${c.vocabSize}`;

/** config.json of an export folder, through the model package's reader. */
async function readExportConfig(dir: string): Promise<GPTConfig> {
  const path = join(dir, 'config.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${(e as Error).message}); export the model again`);
  }
  try {
    return fromHfConfig(json);
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(`${path}: ${e.message}; export the model again`);
    throw e;
  }
}

async function describeCheckpoint(dir: string, base?: string): Promise<string[]> {
  // Loads every tensor (an adapter's base too): a truncated or corrupt folder fails here, naming the file.
  const { config, adapter, modelDir } = await loadModelWeights(dir, { base });
  const baseBytes = size(join(modelDir, 'model.safetensors'));
  const adapterBytes = size(join(dir, 'adapter_model.safetensors'));
  const lines =
    adapter === undefined
      ? [`checkpoint ${dir}`, modelLine(config), `  weights: ${mb(baseBytes)}`]
      : [
          `LoRA adapter ${dir}`,
          `  base: ${modelDir}`,
          modelLine(config),
          `  adapter: rank ${adapter.lora.rank}, alpha ${adapter.lora.alpha}, targets ${adapter.lora.targets.join(',')}, dropout ${adapter.lora.dropout}`,
          `  weights: ${mb(adapterBytes)}${baseBytes > 0 ? ` (${((100 * adapterBytes) / baseBytes).toFixed(1)}% of the base's ${mb(baseBytes)})` : ''}`,
        ];
  lines.push(...artistLines(await modelArtists(dir)));
  if (existsSync(join(dir, TRAINER_STATE_JSON))) {
    const s = await readTrainerState(dir);
    lines.push(`  step: ${s.step} of ${String(s.train_options['steps'] ?? '?')}`);
    if (s.best_val_loss !== null)
      lines.push(`  best validation loss: ${s.best_val_loss.toFixed(4)} at step ${s.best_step}`);
  }
  return lines;
}

async function describeRun(dir: string, base: string | undefined): Promise<string[]> {
  const lines = [`run ${dir}`];
  for (const name of ['last', 'best']) {
    const ckpt = join(dir, 'checkpoints', name);
    if (existsSync(ckpt)) lines.push(...(await describeCheckpoint(ckpt, base)).map((l) => `  ${l}`));
  }
  const metrics = join(dir, 'metrics.jsonl');
  if (existsSync(metrics)) {
    const rows = readFileSync(metrics, 'utf8').split('\n').filter(Boolean);
    lines.push(`  metrics.jsonl: ${rows.length} rows`);
  }
  if (existsSync(join(dir, 'loss.svg'))) lines.push(`  loss plot: ${join(dir, 'loss.svg')}`);
  return lines;
}

async function describeExport(dir: string): Promise<string[]> {
  const onnx = join(dir, 'onnx', 'model.onnx');
  return [
    `ONNX export ${dir}`,
    modelLine(await readExportConfig(dir)),
    `  onnx/model.onnx: ${mb(size(onnx) + size(`${onnx}_data`))}`,
    ...artistLines(await modelArtists(dir)),
  ];
}
