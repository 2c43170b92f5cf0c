// Issue 16 end to end on a tiny model that memorised a two-artist corpus (Ana: plain
// English lines, Bo: "do re mi fa sol"), through the library and the built CLI:
// greedy decoding recites a song and the copied-lyrics guard stops it (checked by an
// n-gram search written here, not the LyricsIndex), the artist token steers the style,
// and eval's val_loss equals the trainer's own evaluation of the same windows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildGptGraph,
  InvalidOptionError,
  lossWindows,
  sampleCopyStats,
  type TextGenerator,
} from '@spinettai/model';
import { exportOnnx, loadCheckpoint, loadLyricsCorpus, loadTextGenerator } from '@spinettai/model/node';
import { readDatasetTokens } from '@spinettai/tokenizer/node';
import { Evaluator, GPT_IO, GptTraining, windowsToBatch } from '@spinettai/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyMetricsOf } from './copyMetrics.js';
import { recordedDataDir } from './corpus.js';
import { openEngine } from './serve/engine.js';
import { ANA_SONGS, BO_SONGS, type LyricsRun, lyricsRun } from './test-utils/lyricsRun.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** Lower-case ASCII words: the corpus and the model's output are plain English or solfège. */
const toWords = (text: string) => text.toLowerCase().match(/[a-z]+/g) ?? [];
const ALL = [...ANA_SONGS, ...BO_SONGS];

/** Longest run of consecutive words of `text` found inside one song (brute force over all runs). */
function longestCopiedRun(text: string): number {
  const songs = ALL.map((s) => ` ${toWords(s).join(' ')} `);
  const w = toWords(text);
  let best = 0;
  for (let i = 0; i < w.length; i++)
    for (let j = i + 1; j <= w.length; j++)
      if (songs.some((s) => s.includes(` ${w.slice(i, j).join(' ')} `))) best = Math.max(best, j - i);
  return best;
}

const BO_WORDS = new Set(['do', 're', 'mi', 'fa', 'sol']);

let r: LyricsRun;
let gen: TextGenerator;
let exported: string;

beforeAll(async () => {
  r = await lyricsRun();
  exported = join(r.root, 'export');
  await exportOnnx(r.checkpoint, exported);
  gen = await loadTextGenerator(r.checkpoint, { corpus: r.data, threads: 1 });
}, 300_000);

afterAll(async () => {
  await gen?.release();
  await r?.cleanup();
});

describe('copied-lyrics guard (library)', () => {
  it('greedy decoding recites a training song; with maxCopyWords 6 no 6 corpus words in a row, still a useful length', async () => {
    const greedy = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 150 } as const;
    const recited = await gen.generate('', { ...greedy, artist: 'Ana' });
    expect(longestCopiedRun(recited.text), recited.text).toBeGreaterThanOrEqual(15);
    for (const artist of ['Ana', 'Bo', undefined]) {
      const guarded = await gen.generate('', { ...greedy, artist, maxCopyWords: 6 });
      expect(longestCopiedRun(guarded.text), guarded.text).toBeLessThan(6);
      expect(toWords(guarded.text).length, guarded.text).toBeGreaterThanOrEqual(15);
    }
  });

  it('also under sampling, and refuses a guard without lyrics', async () => {
    for (let seed = 0; seed < 3; seed++) {
      const g = await gen.generate('', { seed, temperature: 0.7, maxNewTokens: 120, maxCopyWords: 6 });
      expect(longestCopiedRun(g.text), g.text).toBeLessThan(6);
    }
    const bare = await loadTextGenerator(r.checkpoint, { threads: 1 });
    try {
      expect(() => bare.stream('', { maxCopyWords: 6 })).toThrow(/lyricsIndex/);
    } finally {
      await bare.release();
    }
  });
});

describe('artist conditioning (library)', () => {
  it("the artist token steers the style: Ana's songs have no solfège, Bo's nothing else", async () => {
    expect(gen.artists).toEqual(['Ana', 'Bo']);
    for (let seed = 0; seed < 3; seed++) {
      const ana = toWords((await gen.generate('', { artist: 'Ana', seed, maxNewTokens: 60 })).text);
      const bo = toWords((await gen.generate('', { artist: 'Bo', seed, maxNewTokens: 60 })).text);
      expect(ana.filter((w) => BO_WORDS.has(w)).length, ana.join(' ')).toBeLessThanOrEqual(1);
      expect(ana.length).toBeGreaterThan(5);
      expect(bo.filter((w) => !BO_WORDS.has(w)).length, bo.join(' ')).toBeLessThanOrEqual(1);
      expect(bo.length).toBeGreaterThan(5);
    }
  });

  it('an unknown artist is refused with the known ones', () => {
    expect(() => gen.stream('', { artist: 'Cleo' })).toThrow(InvalidOptionError);
    expect(() => gen.stream('', { artist: 'Cleo' })).toThrow(
      /unknown artist "Cleo"; the model knows: Ana, Bo/,
    );
  });
});

/** The trainer's Evaluator on the non-overlapping windows of `tokens` (one session per window length). */
async function trainerLoss(tokens: Uint16Array | Uint32Array): Promise<number> {
  const { config, params } = await loadCheckpoint(r.checkpoint);
  const training = GptTraining.create(config, params, { batch: 1, optimizer: 'fused', accum: 1, threads: 1 });
  let sum = 0;
  let count = 0;
  for (const { start, length } of lossWindows(tokens.length, config.blockSize)) {
    const shape = { batch: 1, seqLen: length, params: 'inputs', targets: true, logits: false } as const;
    const ev = await Evaluator.create(buildGptGraph(config, shape).graph, GPT_IO, training.store, {
      batch: 1,
      seqLen: length,
      threads: 1,
    });
    try {
      sum += length * (await ev.loss([windowsToBatch(tokens, [start], length)]));
      count += length;
    } finally {
      await ev.release();
    }
  }
  return sum / count;
}

describe('val loss (library)', () => {
  it("evaluateLoss on the checkpoint and on its export equals the trainer's evaluation of the same windows", async () => {
    const val = await readDatasetTokens(r.data, 'val');
    expect(lossWindows(val.length, 64).length).toBeGreaterThan(1); // a full window and a shorter last one
    const expected = await trainerLoss(val);
    const fromCheckpoint = await gen.evaluateLoss(val);
    expect(fromCheckpoint.targets).toBe(val.length - 1);
    expect(fromCheckpoint.loss).toBeCloseTo(expected, 4);
    const g = await loadTextGenerator(exported, { threads: 1 });
    try {
      expect((await g.evaluateLoss(val)).loss).toBeCloseTo(expected, 4);
    } finally {
      await g.release();
    }
  });
});

describe('CLI', () => {
  it('generate --artist, --max-copy-words (corpus from the checkpoint), unknown artist', () => {
    const bo = cli([
      'generate',
      '--model',
      r.checkpoint,
      '--artist',
      'Bo',
      '--temperature',
      '0',
      '--max-tokens',
      '40',
    ]);
    expect(bo.status, bo.stderr).toBe(0);
    expect(
      toWords(bo.stdout).every((w) => BO_WORDS.has(w)),
      bo.stdout,
    ).toBe(true);
    const recite = [
      'generate',
      '--model',
      r.checkpoint,
      '--artist',
      'Ana',
      '--temperature',
      '0',
      '--repetition-penalty',
      '1',
      '--max-tokens',
      '150',
    ];
    const plain = cli(recite);
    expect(longestCopiedRun(plain.stdout), plain.stdout).toBeGreaterThanOrEqual(15);
    const guarded = cli([...recite, '--max-copy-words', '6']);
    expect(guarded.status, guarded.stderr).toBe(0);
    expect(longestCopiedRun(guarded.stdout), guarded.stdout).toBeLessThan(6);
    expect(toWords(guarded.stdout).length).toBeGreaterThanOrEqual(15);
    const unknown = cli(['generate', '--model', r.checkpoint, '--artist', 'Cleo']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown artist "Cleo"; the model knows: Ana, Bo/);
    expect(unknown.stdout).toBe('');
    const noCorpus = cli(['generate', '--model', exported, '--max-copy-words', '6']);
    expect(noCorpus.status).toBe(1);
    expect(noCorpus.stderr).toMatch(/--corpus/);
  });

  it("eval prints one JSON line whose val_loss is the trainer's evaluation, with samples and copy metrics", async () => {
    const expected = await trainerLoss(await readDatasetTokens(r.data, 'val'));
    for (const model of [r.checkpoint, exported]) {
      const e = cli([
        'eval',
        '--model',
        model,
        '--data',
        r.data,
        '--samples',
        '2',
        '--max-tokens',
        '80',
        '--threads',
        '1',
      ]);
      expect(e.status, e.stderr).toBe(0);
      const lines = e.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const out = JSON.parse(lines[0]!);
      expect(out.val_loss).toBeCloseTo(expected, 4);
      expect(out.perplexity).toBeCloseTo(Math.exp(out.val_loss), 10);
      expect(out.samples).toHaveLength(2);
      // A memorising model: its samples copy long runs, as the independent checker sees too.
      const longest = Math.max(...out.samples.map(longestCopiedRun));
      expect(out.copy.longest_copied_words).toBe(longest);
      expect(out.copy.copied_ngram_fraction).toBeGreaterThan(0.5);
      expect(e.stderr).toMatch(/validation loss [\d.]+ \(perplexity [\d.]+\)/);
    }
  });

  it('info lists the artists of the data folder, the checkpoint and the export', () => {
    for (const p of [r.data, r.checkpoint, exported]) {
      const i = cli(['info', p]);
      expect(i.status, i.stderr).toBe(0);
      expect(i.stdout).toContain('artists (generate --artist): Ana, Bo');
    }
  });

  it('train --copy-metrics logs the copy numbers at each evaluation', () => {
    const out = join(r.root, 'run-copy');
    const t = cli([
      'train',
      '--data',
      r.data,
      '--out',
      out,
      '--steps',
      '4',
      '--eval-every',
      '2',
      '--copy-metrics',
      '--layers',
      '1',
      '--embd',
      '16',
      '--heads',
      '2',
      '--block',
      '16',
      '--batch',
      '2',
      '--threads',
      '1',
    ]);
    expect(t.status, t.stderr).toBe(0);
    const logged = `${t.stdout}${t.stderr}`.match(/step \d+ copy: longest copied run \d+ words/g) ?? [];
    expect(logged.map((l) => l.split(' ')[1])).toEqual(['2', '4']);
  });

  it('the checkpoint records its data folder', () => {
    const state = JSON.parse(readFileSync(join(r.checkpoint, 'trainer_state.json'), 'utf8'));
    expect(state.train_options.data_dir).toBe(r.data);
  });
});

describe('copy metrics of trained weights (for train --copy-metrics)', () => {
  it("equal eval's numbers for the same songs and agree with the independent checker", async () => {
    const { config, params } = await loadCheckpoint(r.checkpoint);
    const corpus = await loadLyricsCorpus(r.data);
    const opts = { samples: 2, maxNewTokens: 80 };
    const m = await copyMetricsOf(config, params, { dataDir: r.data, corpus, threads: 1, ...opts });
    expect(m).toEqual(await sampleCopyStats(gen, corpus, opts));
    expect(m.copy.longest_copied_words).toBe(Math.max(...m.samples.map(longestCopiedRun)));
  });
});

describe('serve engine', () => {
  it('guards completions with the corpus the checkpoint records; 0 turns the guard off', async () => {
    const corpus = await recordedDataDir(r.checkpoint);
    expect(corpus).toBe(r.data);
    const job = { prompt: '', maxTokens: 150, temperature: 0, topP: 1, topK: 0, stop: [], seed: 1 };
    const texts: Record<number, string> = {};
    const lyrics = await loadLyricsCorpus(corpus!);
    for (const maxCopyWords of [6, 0]) {
      const engine = await openEngine({ model: exported, concurrency: 1, threads: 1, lyrics, maxCopyWords });
      try {
        let text = '';
        await engine.generate(job, (p) => (text += p), new AbortController().signal);
        texts[maxCopyWords] = text;
      } finally {
        await engine.close();
      }
    }
    expect(longestCopiedRun(texts[0]!), texts[0]).toBeGreaterThanOrEqual(15);
    expect(longestCopiedRun(texts[6]!), texts[6]).toBeLessThan(6);
  });
});
