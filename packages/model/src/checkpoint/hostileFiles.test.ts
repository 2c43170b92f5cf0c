// Hostile safetensors files (issue 12 item 8), each loaded by loadCheckpoint in a child
// process whose peak memory (maxRSS) is measured: a 99 MB header, a header of hundreds
// of thousands of entries, an extra 1 GB tensor, 3 GB tensors. The big files are sparse
// (ftruncate), so they cost no disk and no time to write. Each must be refused in one
// line, or skipped, without reading its data.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config.js';
import { paramShapes } from '../params.js';
import { encodeFloats, exactWeights, gpt2ConfigJson } from './test-utils/hubFolder.js';

/** Most a refusal may add to the child's peak RSS. */
const MAX_EXTRA_RSS_MB = 64;

const cfg = validateConfig({ vocabSize: 50, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 8 });
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// Loads each folder in turn. extraRssMb is the peak RSS after that load minus the RSS
// before the first one, so one load cannot hide behind an earlier one's peak.
const CHILD = `
const { loadCheckpoint } = await import(${JSON.stringify(pathToFileURL(here('./hfFolder.ts')).href)});
const before = process.resourceUsage().maxRSS;
const results = [];
for (const dir of process.argv.slice(2)) {
  let result;
  try {
    const ck = await loadCheckpoint(dir);
    result = { loaded: [...ck.params.keys()].length };
  } catch (e) {
    result = { error: e.name, message: e.message };
  }
  result.extraRssMb = (process.resourceUsage().maxRSS - before) / 1024;
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
`;

let root: string;
let script: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hostile-'));
  script = join(root, 'child.mjs');
  await writeFile(script, CHILD);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface ChildResult {
  loaded?: number;
  error?: string;
  message?: string;
  extraRssMb: number;
}

function loadInChild(dirs: string[]): Promise<ChildResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', here('./test-utils/tsRegister.mjs'), script, ...dirs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`child exited with ${code ?? signal}: ${err.slice(0, 2000)}`));
      else resolve(JSON.parse(out) as ChildResult[]);
    });
  });
}

/** A declared tensor; `bytes` absent means zeros that the sparse file never materialises. */
interface Declared {
  name: string;
  dtype: string;
  shape: number[];
  byteLength: number;
  bytes?: Uint8Array;
}

/** Writes config.json and a sparse model.safetensors declaring `tensors` (raw header text when given). */
async function folder(name: string, tensors: Declared[], rawHeader?: string, claimedLength?: number) {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, 'config.json'), JSON.stringify(gpt2ConfigJson(cfg, 49)));
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.byteLength] };
    offset += t.byteLength;
  }
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const fh = await open(join(dir, 'model.safetensors'), 'w');
  try {
    const prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setBigUint64(0, BigInt(claimedLength ?? json.byteLength), true);
    await fh.write(prefix, 0, 8, 0);
    await fh.write(json, 0, json.byteLength, 8);
    let pos = 8 + json.byteLength;
    for (const t of tensors) {
      if (t.bytes !== undefined) await fh.write(t.bytes, 0, t.bytes.byteLength, pos);
      pos += t.byteLength;
    }
    await fh.truncate(Math.max(pos, 8 + (claimedLength ?? 0) + 16)); // sparse: the zeros take no disk
  } finally {
    await fh.close();
  }
  return dir;
}

/** The real weights of `cfg`, un-prefixed as the Hub stores them. */
function weights(): Declared[] {
  const shapes = paramShapes(cfg);
  return [...exactWeights(cfg)].map(([name, values]) => {
    const bytes = encodeFloats(values, 'F32');
    return {
      name: name.replace(/^transformer\./, ''),
      dtype: 'F32',
      shape: shapes.get(name)!,
      byteLength: bytes.byteLength,
      bytes,
    };
  });
}

function expectRefused(r: ChildResult, message: RegExp): void {
  expect(r.error).toBe('CheckpointError');
  expect(r.message).toMatch(message);
  expect(r.message).not.toContain('\n');
  expect(r.extraRssMb).toBeLessThan(MAX_EXTRA_RSS_MB);
}

const CASES = {
  ok: () => folder('ok', weights()),
  header99: () => folder('header99', [], '{', 99_000_000),
  entries: () =>
    folder(
      'entries',
      [],
      `{${Array.from({ length: 200_000 }, (_, i) => `"h.${i}.x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`,
    ),
  extra1g: () =>
    folder('extra1g', [
      ...weights(),
      { name: 'h.0.attn.extra', dtype: 'F32', shape: [2 ** 28], byteLength: 2 ** 30 },
    ]),
  wte3g: () =>
    folder('wte3g', [
      { name: 'wte.weight', dtype: 'F32', shape: [93_750_000, 8], byteLength: 3_000_000_000 },
      ...weights().filter((t) => t.name !== 'wte.weight'),
    ]),
  bias3g: () => {
    const P = 27_386; // [1, 1, P, P] float32 ≈ 3.0 GB
    return folder('bias3g', [
      ...weights(),
      { name: 'h.0.attn.bias', dtype: 'F32', shape: [1, 1, P, P], byteLength: P * P * 4 },
    ]);
  },
};
const results: Record<string, ChildResult> = {};

describe('hostile safetensors files cost little memory (child process, maxRSS)', () => {
  beforeAll(async () => {
    const names = Object.keys(CASES) as (keyof typeof CASES)[];
    const dirs: string[] = [];
    for (const name of names) dirs.push(await CASES[name]());
    const out = await loadInChild(dirs);
    names.forEach((name, i) => {
      results[name] = out[i]!;
    });
  });

  it('loads a well-formed folder (the harness works)', () => {
    expect(results['ok']!.error).toBeUndefined();
    expect(results['ok']!.loaded).toBe(paramShapes(cfg).size);
  });

  it('refuses a 99 MB header by its length, without reading it', () => {
    expectRefused(results['header99']!, /header length 99000000 exceeds the 16777216-byte limit/);
  });

  it('refuses a 12 MB header of 200,000 entries before parsing it', () => {
    expectRefused(results['entries']!, /header is too complex \(more than 16384 tensors/);
  });

  it('refuses one extra 1 GB tensor from the header, reading none of it', () => {
    expectRefused(
      results['extra1g']!,
      /tensor 'h\.0\.attn\.extra': is not a GPT-2 parameter for this config\.json/,
    );
  });

  it('refuses a 3 GB tensor in place of wte by its shape (one 3 GB read aborted Node)', () => {
    expectRefused(
      results['wte3g']!,
      /tensor 'wte\.weight': has shape \[93750000, 8\], config\.json implies \[50, 8\]/,
    );
  });

  it('skips a 3 GB attn.bias buffer without reading it', () => {
    const r = results['bias3g']!;
    expect(r.error).toBeUndefined();
    expect(r.loaded).toBe(paramShapes(cfg).size);
    expect(r.extraRssMb).toBeLessThan(MAX_EXTRA_RSS_MB);
  });
});
