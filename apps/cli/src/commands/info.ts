// `spinettai info`: what a corpus, data folder, checkpoint, run or export folder holds.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCorpus, readDatasetMeta } from '@spinettai/tokenizer';
import type { Command } from 'commander';
import { UserError } from '../errors.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('Describe a corpus file, data folder, checkpoint, run folder or export folder.')
    .argument('<path>', 'file or folder to describe')
    .action(async (path: string) => {
      if (!existsSync(path)) throw new UserError(`no such file or folder: ${path}`);
      process.stdout.write(`${(await describe(path)).join('\n')}\n`);
    });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'));

async function describe(path: string): Promise<string[]> {
  if (statSync(path).isFile()) return describeCorpus(path);
  if (existsSync(join(path, 'meta.json'))) return describeDataset(path);
  if (existsSync(join(path, 'checkpoints'))) return describeRun(path);
  if (existsSync(join(path, 'onnx', 'model.onnx'))) return describeExport(path);
  if (existsSync(join(path, 'config.json'))) return describeCheckpoint(path);
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
  const meta = await readDatasetMeta(dir);
  return [
    `data folder ${dir}`,
    `  vocab size: ${meta.vocab_size} (${meta.dtype} token files)`,
    `  train: ${meta.splits.train.tokens} tokens, ${meta.splits.train.songs} songs (${mb(size(join(dir, 'train.bin')))})`,
    `  val:   ${meta.splits.val.tokens} tokens, ${meta.splits.val.songs} songs (${mb(size(join(dir, 'val.bin')))})`,
    `  tokenizer sha256: ${meta.tokenizer_sha256}`,
  ];
}

function modelLines(dir: string): string[] {
  const c = readJson(join(dir, 'config.json'));
  return [
    `  model: GPT-2, ${c['n_layer']} layers, ${c['n_embd']} embd, ${c['n_head']} heads, context ${c['n_positions']}, vocab ${c['vocab_size']}`,
  ];
}

function describeCheckpoint(dir: string): string[] {
  const lines = [
    `checkpoint ${dir}`,
    ...modelLines(dir),
    `  weights: ${mb(size(join(dir, 'model.safetensors')))}`,
  ];
  const statePath = join(dir, 'trainer_state.json');
  if (existsSync(statePath)) {
    const s = readJson(statePath);
    if (s['step'] !== undefined) lines.push(`  step: ${s['step']}`);
    const best = s['best_val_loss'] ?? s['bestValLoss'];
    if (typeof best === 'number') lines.push(`  best validation loss: ${best.toFixed(4)}`);
  }
  return lines;
}

function describeRun(dir: string): string[] {
  const lines = [`run ${dir}`];
  for (const name of ['last', 'best']) {
    const ckpt = join(dir, 'checkpoints', name);
    if (existsSync(join(ckpt, 'config.json'))) lines.push(...describeCheckpoint(ckpt).map((l) => `  ${l}`));
  }
  const metrics = join(dir, 'metrics.jsonl');
  if (existsSync(metrics)) {
    const rows = readFileSync(metrics, 'utf8').split('\n').filter(Boolean);
    lines.push(`  metrics.jsonl: ${rows.length} rows`);
  }
  if (existsSync(join(dir, 'loss.svg'))) lines.push(`  loss plot: ${join(dir, 'loss.svg')}`);
  return lines;
}

function describeExport(dir: string): string[] {
  const onnx = join(dir, 'onnx', 'model.onnx');
  return [
    `ONNX export ${dir}`,
    ...modelLines(dir),
    `  onnx/model.onnx: ${mb(size(onnx) + size(`${onnx}_data`))}`,
  ];
}
