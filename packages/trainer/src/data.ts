// Reads a tokenized dataset (meta.json, train.bin, val.bin from @spinettai/tokenizer)
// and cuts it into training windows. A window is blockSize + 1 contiguous tokens: inputs
// are the first blockSize, targets the last blockSize. Training windows start at random
// offsets drawn from a SeededRandom (its state is checkpointed); the evaluation set is a
// fixed list of windows from val.bin, the same at every evaluation.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@spinettai/graph';
import { DatasetError } from './errors.js';

/** meta.json as written by the tokenizer package (snake_case, as on disk). */
export interface DatasetMeta {
  format: 'spinettai-dataset';
  version: number;
  vocab_size: number;
  dtype: 'uint16' | 'uint32';
  eot_token_id: number;
  pad_token_id: number;
  tokenizer_sha256: string;
  val_fraction?: number;
  seed?: number;
  splits: {
    train: { file: string; tokens: number; songs?: number };
    val: { file: string; tokens: number; songs?: number };
  };
}

/** A loaded dataset: token ids of each split and the metadata. */
export interface Dataset {
  readonly dir: string;
  readonly meta: DatasetMeta;
  readonly train: Uint16Array | Uint32Array;
  readonly val: Uint16Array | Uint32Array;
}

function readTokens(
  dir: string,
  file: string,
  dtype: DatasetMeta['dtype'],
  expected: number,
): Uint16Array | Uint32Array {
  const path = join(dir, file);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new DatasetError(
      `cannot read ${path}: ${(e as Error).message}. Run \`spinettai tokenize\` to create the dataset.`,
    );
  }
  const width = dtype === 'uint16' ? 2 : 4;
  if (buf.byteLength % width !== 0)
    throw new DatasetError(`${path} has ${buf.byteLength} bytes, not a multiple of ${width} (${dtype})`);
  const n = buf.byteLength / width;
  if (n !== expected)
    throw new DatasetError(`${path} holds ${n} tokens but meta.json says ${expected}; re-run the tokenizer`);
  // Copy into an aligned buffer and decode little-endian explicitly (portable to BE hosts).
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = dtype === 'uint16' ? new Uint16Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = width === 2 ? view.getUint16(2 * i, true) : view.getUint32(4 * i, true);
  return out;
}

/** Loads meta.json, train.bin and val.bin from a dataset folder and checks them against each other. */
export function loadDataset(dir: string): Dataset {
  const metaPath = join(dir, 'meta.json');
  let meta: DatasetMeta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetMeta;
  } catch (e) {
    throw new DatasetError(
      `cannot read ${metaPath}: ${(e as Error).message}. Point --data at the folder written by \`spinettai tokenize\`.`,
    );
  }
  if (meta.format !== 'spinettai-dataset' || meta.version !== 1)
    throw new DatasetError(`${metaPath}: unsupported format ${meta.format} v${meta.version}`);
  if (meta.dtype !== 'uint16' && meta.dtype !== 'uint32')
    throw new DatasetError(`${metaPath}: unknown dtype '${String(meta.dtype)}'`);
  if (!Number.isInteger(meta.vocab_size) || meta.vocab_size <= 0)
    throw new DatasetError(`${metaPath}: bad vocab_size ${meta.vocab_size}`);
  const train = readTokens(dir, meta.splits.train.file, meta.dtype, meta.splits.train.tokens);
  const val = readTokens(dir, meta.splits.val.file, meta.dtype, meta.splits.val.tokens);
  for (const [name, arr] of [
    ['train', train],
    ['val', val],
  ] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (arr[i]! >= meta.vocab_size)
        throw new DatasetError(`${name}.bin token ${i} is ${arr[i]}, outside vocab_size ${meta.vocab_size}`);
    }
  }
  return { dir, meta, train, val };
}

/** One batch: inputs and targets as int64 row-major (B, T). */
export interface Batch {
  readonly inputs: BigInt64Array; // (B, T)
  readonly targets: BigInt64Array; // (B, T)
}

/** Fills a batch from window start offsets. */
export function windowsToBatch(
  tokens: ArrayLike<number>,
  starts: readonly number[],
  blockSize: number,
  into?: Batch,
): Batch {
  const n = starts.length * blockSize;
  const batch = into ?? { inputs: new BigInt64Array(n), targets: new BigInt64Array(n) };
  starts.forEach((s, b) => {
    for (let t = 0; t < blockSize; t++) {
      batch.inputs[b * blockSize + t] = BigInt(tokens[s + t]!);
      batch.targets[b * blockSize + t] = BigInt(tokens[s + t + 1]!);
    }
  });
  return batch;
}

/** Stream id of the batch sampler's generator: apart from initParams' (0, 1, 2, …), dropoutSeed's (0x5eed + k) and deriveSeed's (0x40000000 + step). */
const SAMPLER_STREAM = 0x20000000;

/** Random training windows drawn from a SeededRandom whose state is saved in checkpoints. */
export class BatchSampler {
  private readonly rng: SeededRandom;
  /** Windows drawn so far (recorded in trainer_state.json as the data position). */
  drawn: number;

  constructor(
    private readonly tokens: Uint16Array | Uint32Array,
    private readonly blockSize: number,
    private readonly batchSize: number,
    from: { seed: number } | { state: readonly number[]; drawn: number },
  ) {
    if (tokens.length < blockSize + 1) {
      throw new DatasetError(
        `train.bin has ${tokens.length} tokens, fewer than one window of blockSize + 1 = ${blockSize + 1}; use a smaller --block-size or more lyrics`,
      );
    }
    this.rng =
      'seed' in from ? new SeededRandom(from.seed, SAMPLER_STREAM) : SeededRandom.fromState(from.state);
    this.drawn = 'seed' in from ? 0 : from.drawn;
  }

  /** The next batch of random windows. */
  next(into?: Batch): Batch {
    const maxStart = this.tokens.length - this.blockSize - 1; // inclusive
    const starts: number[] = [];
    for (let b = 0; b < this.batchSize; b++) starts.push(this.rng.nextInt(maxStart + 1));
    this.drawn += this.batchSize;
    return windowsToBatch(this.tokens, starts, this.blockSize, into);
  }

  /** The sampler's RNG state, for checkpoints. */
  state(): readonly number[] {
    return this.rng.state();
  }
}

/**
 * The fixed evaluation windows: `batches` batches of `batchSize` windows spread evenly over
 * val.bin (non-overlapping where the split is long enough). Falls back to the end of
 * train.bin when val.bin is shorter than one window, and says so through `warn`.
 */
export function evalBatches(
  data: Dataset,
  blockSize: number,
  batchSize: number,
  batches: number,
  warn: (m: string) => void,
): Batch[] {
  let tokens = data.val;
  if (tokens.length < blockSize + 1) {
    warn(
      `val.bin has ${tokens.length} tokens, fewer than one window (${blockSize + 1}); evaluating on train.bin instead, so validation loss is not a held-out measure`,
    );
    tokens = data.train;
  }
  const count = batches * batchSize;
  const maxStart = tokens.length - blockSize - 1;
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(count === 1 ? 0 : Math.round((i * maxStart) / (count - 1)));
  const out: Batch[] = [];
  for (let b = 0; b < batches; b++)
    out.push(windowsToBatch(tokens, starts.slice(b * batchSize, (b + 1) * batchSize), blockSize));
  return out;
}
