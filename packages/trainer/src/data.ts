// Opens a tokenized dataset through the tokenizer package's readers (which own meta.json,
// train.bin and val.bin) and cuts it into training windows. A window is blockSize + 1
// contiguous tokens: inputs are the first blockSize, targets the last blockSize. Training
// windows start at random offsets drawn from a SeededRandom (its state is checkpointed); the
// evaluation set is a fixed list of windows from val.bin, the same at every evaluation.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@spinettai/graph';
import { DatasetError, TOKENIZER_JSON, TokenizerFileError } from '@spinettai/tokenizer';
import {
  type DatasetMeta,
  loadTokenizer,
  readDatasetMeta,
  readDatasetTokens,
} from '@spinettai/tokenizer/node';
import { RNG_STREAMS } from './rng.js';

/** A loaded dataset: token ids of each split and the metadata. */
export interface Dataset {
  readonly dir: string;
  readonly meta: DatasetMeta;
  readonly train: Uint16Array | Uint32Array;
  readonly val: Uint16Array | Uint32Array;
}

/**
 * Checks, through the tokenizer package's loader, that `dir/tokenizer.json` exists, loads,
 * is the tokenizer meta.json was built with (its sha256) and covers vocab_size ids — the
 * checks a checkpoint save makes, done before step 1 so a run never trains for hours and
 * then fails to save.
 * @throws DatasetError naming the file and what to do.
 */
export async function checkTokenizerFile(dir: string, meta: DatasetMeta): Promise<void> {
  const path = join(dir, TOKENIZER_JSON);
  let tokenizer: Awaited<ReturnType<typeof loadTokenizer>>;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (e) {
    if (!(e instanceof TokenizerFileError)) throw e;
    const missing = !existsSync(path);
    throw new DatasetError(
      path,
      missing
        ? `${path} is missing: checkpoints carry the tokenizer, so training needs it; re-run \`spinettai tokenize\` to write the data folder`
        : `${e.message.replace(/\.$/, '')}; re-run \`spinettai tokenize\` to write it again`,
    );
  }
  if (tokenizer.sha256 !== meta.tokenizer_sha256)
    throw new DatasetError(
      path,
      `${path} does not match meta.json's tokenizer_sha256: the tokenizer changed after the dataset was built; re-run \`spinettai tokenize\``,
    );
  if (tokenizer.vocabSize !== meta.vocab_size)
    throw new DatasetError(
      path,
      `${path} has ${tokenizer.vocabSize} token ids but meta.json says vocab_size ${meta.vocab_size}; re-run \`spinettai tokenize\``,
    );
}

/**
 * Loads meta.json, train.bin and val.bin from a dataset folder (through the tokenizer
 * package's readers), checks every id against vocab_size and checks tokenizer.json.
 * @throws DatasetError (from @spinettai/tokenizer) naming the file and what to do.
 */
export async function loadDataset(dir: string): Promise<Dataset> {
  const meta = await readDatasetMeta(dir);
  const train = await readDatasetTokens(dir, 'train');
  const val = await readDatasetTokens(dir, 'val');
  for (const [name, arr] of [
    ['train', train],
    ['val', val],
  ] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (arr[i]! >= meta.vocab_size)
        throw new DatasetError(
          join(dir, meta.splits[name].file),
          `${meta.splits[name].file} token ${i} is ${arr[i]}, outside vocab_size ${meta.vocab_size}; re-run \`spinettai tokenize\``,
        );
    }
  }
  await checkTokenizerFile(dir, meta);
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
        'train.bin',
        `train.bin has ${tokens.length} tokens, fewer than one window of \`blockSize\` + 1 = ${blockSize + 1}; use a smaller \`blockSize\` or more lyrics`,
      );
    }
    this.rng =
      'seed' in from ? new SeededRandom(from.seed, RNG_STREAMS.sampler) : SeededRandom.fromState(from.state);
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
