#!/usr/bin/env node
// Benchmark of @spinettai/tokenizer against the Rust `tokenizers` binding.
//   node bench/tokenizer.mjs [--mb 2.5] [--vocab 8192]
// (build first: pnpm turbo run build --filter=@spinettai/tokenizer)
//
// 1. Builds a deterministic Spanish-like corpus (>= 2 MB, synthetic, no network).
// 2. BPE training, each run in its own child process so time and peak RSS are
//    separable: trainBpe at --vocab; the Rust BpeTrainer (its Node binding fixes
//    vocab_size=30000, min_frequency=0, so it runs further); and trainBpe on the
//    same merge budget as Rust (equal work), whose merges are also compared.
// 3. Encoding throughput (MB/s) of our wrapper vs the Rust binding, same text.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'packages/tokenizer');
const rust = () => createRequire(join(pkg, 'package.json'))('tokenizers');
const ours = () => import(join(pkg, 'dist/index.js'));
const oursNode = () => import(join(pkg, 'dist/node.js'));

// ---------- corpus ----------
// A pseudo-Spanish lexicon (syllables → ~20k words) sampled with Zipf's law, plus
// real function words: a long tail of word types, like real lyrics.
const ONSETS = [
  '',
  '',
  'b',
  'c',
  'd',
  'f',
  'g',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'ch',
  'll',
  'qu',
  'br',
  'tr',
  'pl',
  'gr',
  'ñ',
  'j',
  'z',
];
const NUCLEI = ['a', 'a', 'e', 'e', 'i', 'o', 'o', 'u', 'ue', 'ie', 'á', 'é', 'í', 'ó', 'ú'];
const CODAS = ['', '', '', '', 'n', 's', 'r', 'l'];
const SMALL =
  'el la los las un una de del que y en a no me te se mi tu su por para con sin como más pero si ya'.split(
    ' ',
  );
const SUFFIX = [
  '',
  '',
  '',
  'ar',
  'o',
  'as',
  'a',
  'amos',
  'an',
  'é',
  'ó',
  'aba',
  'ando',
  'ado',
  'aré',
  'ción',
  'mente',
];
const PUNCT = [',', '', '', '', '', '.', '...', '?', '!'];
const LEXICON_SIZE = 20000;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildCorpus(minBytes) {
  const rand = mulberry32(2024);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const lexicon = Array.from({ length: LEXICON_SIZE }, () => {
    let w = '';
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) w += pick(ONSETS) + pick(NUCLEI) + pick(CODAS);
    return w;
  });
  const zipf = (n) => Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1))) - 1); // p(i) ~ 1/(i+1)
  const word = () => {
    const r = rand();
    if (r < 0.4) return SMALL[zipf(SMALL.length)];
    if (r < 0.99) return lexicon[zipf(LEXICON_SIZE)] + SUFFIX[zipf(SUFFIX.length)];
    return String(Math.floor(rand() * 2000));
  };
  const line = () => {
    const n = 3 + Math.floor(rand() * 7);
    const ws = Array.from({ length: n }, word);
    ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
    return ws.join(' ') + PUNCT[Math.floor(rand() * PUNCT.length)];
  };
  const songs = [];
  let bytes = 0;
  while (bytes < minBytes) {
    const chorus = Array.from({ length: 4 }, line).join('\n');
    const parts = [];
    for (let s = 0; s < 3; s++) {
      parts.push(Array.from({ length: 4 + Math.floor(rand() * 4) }, line).join('\n'), chorus);
    }
    const song = parts.join('\n\n');
    songs.push(song);
    bytes += Buffer.byteLength(song) + 2;
  }
  return songs;
}

// ---------- children ----------
const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const peakMiB = () => process.resourceUsage().maxRSS / 1024;

async function child(mode, corpusFile, arg, out) {
  const text = readFileSync(corpusFile, 'utf8');
  const lines = text.split(/(?<=\n)/); // the Rust binding trains on the file's lines (with endings)
  const result = { mode };
  if (mode === 'baseline') {
    rust();
    await ours();
  } else if (mode === 'js-train') {
    const { trainBpe } = await ours();
    const t0 = process.hrtime.bigint();
    const model = await trainBpe(lines, { vocabSize: Number(arg), minFrequency: 0 });
    result.seconds = since(t0);
    result.merges = model.merges.length;
    writeFileSync(out, JSON.stringify(model.merges));
  } else if (mode === 'rust-train') {
    const t = rust();
    const tok = new t.Tokenizer(t.BPE.empty());
    tok.setPreTokenizer(t.byteLevelPreTokenizer(false, true));
    const t0 = process.hrtime.bigint();
    tok.train([corpusFile]);
    result.seconds = since(t0);
    tok.save(out);
    const saved = JSON.parse(readFileSync(out, 'utf8')).model;
    result.merges = saved.merges.length;
    result.alphabet = Object.keys(saved.vocab).filter((k) => k.length === 1).length;
    result.vocab = Object.keys(saved.vocab).length;
  } else if (mode === 'js-encode' || mode === 'rust-encode' || mode === 'rust-encode-batch') {
    const songs = text.split('\n\n\n');
    let n = 0;
    const t0 = process.hrtime.bigint();
    if (mode === 'js-encode') {
      const { loadTokenizer } = await oursNode();
      const tok = await loadTokenizer(arg);
      for (const ids of tok.encodeBatch(songs)) n += ids.length;
    } else {
      const tok = rust().Tokenizer.fromFile(join(arg, 'tokenizer.json'));
      if (mode === 'rust-encode') {
        for (const s of songs) n += (await tok.encode(s, null, { addSpecialTokens: false })).getLength();
      } else {
        for (const e of await tok.encodeBatch(songs, { addSpecialTokens: false })) n += e.getLength();
      }
    }
    result.seconds = since(t0);
    result.tokens = n;
    result.mbPerSecond = Buffer.byteLength(text) / 1e6 / result.seconds;
  }
  result.peakMiB = peakMiB();
  process.stdout.write(JSON.stringify(result));
}

function run(...args) {
  const stdout = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
  const mb = opt('--mb', 2.5);
  const vocab = opt('--vocab', 8192);
  const dir = mkdtempSync(join(tmpdir(), 'spinettai-bench-'));
  try {
    const songs = buildCorpus(mb * 1e6);
    const corpusFile = join(dir, 'corpus.txt');
    writeFileSync(corpusFile, songs.join('\n\n\n'));
    const size = readFileSync(corpusFile).length;
    console.log(
      `corpus: ${songs.length} synthetic songs, ${(size / 1e6).toFixed(2)} MB; node ${process.version}, ${availableParallelism()} CPUs`,
    );

    const base = run('baseline', corpusFile);
    const js = run('js-train', corpusFile, String(vocab), join(dir, 'js.json'));
    const rs = run('rust-train', corpusFile, '', join(dir, 'rust.json'));
    // Same merge budget as Rust: its vocab = seen alphabet + merged tokens; ours = 258 + merged tokens.
    const matchedVocab = rs.vocab - rs.alphabet + 258;
    const jsm = run('js-train', corpusFile, String(matchedVocab), join(dir, 'jsm.json'));
    const same =
      JSON.stringify(JSON.parse(readFileSync(join(dir, 'jsm.json'), 'utf8'))) ===
      JSON.stringify(JSON.parse(readFileSync(join(dir, 'rust.json'), 'utf8')).model.merges);

    const row = (name, r) =>
      console.log(
        `  ${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} s  ${r.merges.toString().padStart(6)} merges  peak RSS ${r.peakMiB.toFixed(0).padStart(4)} MiB`,
      );
    console.log(
      `\nBPE training (child processes; baseline node+imports peak RSS ${base.peakMiB.toFixed(0)} MiB)`,
    );
    row(`trainBpe vocab ${vocab}`, js);
    row(`Rust BpeTrainer (binding default vocab 30000)`, rs);
    row(`trainBpe vocab ${matchedVocab} (same merges as Rust)`, jsm);
    console.log(`  merges identical to Rust on the equal-work run: ${same ? 'yes' : 'NO'}`);
    console.log(`  time ratio, equal work (trainBpe / Rust): ${(jsm.seconds / rs.seconds).toFixed(2)}x`);
    console.log(`  time ratio, trainBpe@${vocab} / Rust@30000:    ${(js.seconds / rs.seconds).toFixed(2)}x`);
    console.log(`  peak RSS ratio, equal work: ${(jsm.peakMiB / rs.peakMiB).toFixed(2)}x`);

    // Encoding with the vocab-size tokenizer written by trainBpe (trained on the songs).
    const { trainBpe } = await ours();
    const { writeTokenizerFiles } = await oursNode();
    const tokDir = join(dir, 'tok');
    await writeTokenizerFiles(tokDir, await trainBpe(songs, { vocabSize: vocab }));
    const ej = run('js-encode', corpusFile, tokDir);
    const er = run('rust-encode', corpusFile, tokDir);
    const eb = run('rust-encode-batch', corpusFile, tokDir);
    console.log(
      `\nEncoding ${(size / 1e6).toFixed(2)} MB with a ${vocab}-token tokenizer (${ej.tokens} tokens)`,
    );
    console.log(
      `  Tokenizer.encodeBatch (ours, heap BPE as Rust)           ${ej.mbPerSecond.toFixed(2)} MB/s`,
    );
    console.log(
      `  Rust encode, one song at a time                            ${er.mbPerSecond.toFixed(2)} MB/s`,
    );
    console.log(
      `  Rust encodeBatch (multi-threaded)                          ${eb.mbPerSecond.toFixed(2)} MB/s`,
    );
    console.log(`  same token count: ${ej.tokens === er.tokens && er.tokens === eb.tokens ? 'yes' : 'NO'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(...process.argv.slice(3));
else await main();
