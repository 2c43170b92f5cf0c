// A tokenized two-artist corpus and a tiny model trained on it until it memorises its
// songs, for the tests of artist conditioning, the copied-lyrics guard and eval. Ana
// writes plain English lines, Bo only "do re mi fa sol"; no word is shared.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenizeCorpus } from '@spinettai/tokenizer/node';
import { train } from '@spinettai/trainer';

export const ANA_SONGS = [
  'the river keeps a secret under silver stones\nwe walked along the harbor when the morning came\nand every window opened like a quiet book\nyour name was written softly on the paper sky',
  'my coat is heavy with the rain of yesterday\nthe lantern burns beside an empty chair\nwe counted birds above the sleeping town\nand nobody remembered how the story ends',
  'a yellow kite is dancing over broken fences\nthe baker sings to bread before the sun is up\nour shadows hold each other on the wooden floor\nthe winter letters travel slowly to the sea',
];
export const BO_SONGS = [
  'do re mi fa sol\nsol fa mi re do\ndo do re re mi mi\nfa sol fa sol do',
  'mi mi fa sol sol\nre do re mi fa\nsol sol sol fa mi\nre re do do do',
  'fa mi re do re\nmi fa sol do re\ndo re mi do re mi\nsol fa mi re do',
];

export interface LyricsRun {
  root: string;
  corpus: string;
  data: string;
  run: string;
  checkpoint: string;
  cleanup(): Promise<void>;
}

/** Tokenizes the corpus with artist conditioning and trains a tiny model on it. */
export async function lyricsRun(steps = 300): Promise<LyricsRun> {
  const root = await mkdtemp(join(tmpdir(), 'spinettai-lyrics-'));
  const corpus = join(root, 'corpus.jsonl');
  const songs = [
    ...ANA_SONGS.map((lyrics, i) => ({ artist: 'Ana', title: `a${i}`, lyrics })),
    ...BO_SONGS.map((lyrics, i) => ({ artist: 'Bo', title: `b${i}`, lyrics })),
  ];
  // Two copies of each song: the split holds one back for validation and the model still sees every song.
  const lines = [...songs, ...songs.map((s) => ({ ...s, title: `${s.title}'` }))];
  await writeFile(corpus, `${lines.map((s) => JSON.stringify(s)).join('\n')}\n`);
  const data = join(root, 'data');
  await tokenizeCorpus({
    corpusPath: corpus,
    outDir: data,
    vocabSize: 320,
    condition: 'artist',
    valFraction: 0.2,
  });
  const run = join(root, 'run');
  await train({
    dataDir: data,
    outDir: run,
    model: { nLayer: 2, nHead: 2, nEmbd: 48, blockSize: 64 },
    batchSize: 8,
    steps,
    lr: 3e-3,
    warmupSteps: 20,
    dropout: 0,
    evalEvery: steps,
    evalBatches: 2,
    saveEvery: steps,
    threads: 1,
  });
  return {
    root,
    corpus,
    data,
    run,
    checkpoint: join(run, 'checkpoints', 'last'),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
