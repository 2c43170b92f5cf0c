// issue 12, data loss: rerunning a command on the same --out, two processes on one
// --out, and SIGKILL between the two renames of a folder swap — all through the built
// binary as real processes. The kills inside a swap hold the process there with
// `strace -e inject=rename:delay_exit=…` (every rename returns late, so the test can see
// the state between two renames and SIGKILL it there).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../data/demo-corpus.jsonl', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-outdirs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TINY = [
  '--layers',
  '1',
  '--embd',
  '16',
  '--heads',
  '2',
  '--block',
  '16',
  '--batch',
  '4',
  '--threads',
  '1',
];
const TRAIN = (data: string, out: string, steps: number, ...more: string[]) => [
  'train',
  '--data',
  data,
  '--out',
  out,
  ...TINY,
  '--steps',
  String(steps),
  '--eval-every',
  '2',
  '--eval-batches',
  '1',
  '--save-every',
  '2',
  '--warmup',
  '1',
  '--lr',
  '0.01',
  ...more,
];

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

/** Starts the CLI (optionally under strace with every rename delayed by `delayMs`). */
function start(args: string[], delayMs = 0): Run {
  const node = [process.execPath, BIN, ...args];
  const cmd =
    delayMs > 0
      ? [
          'strace',
          '-f',
          '-qq',
          '-o',
          '/dev/null',
          '-e',
          'trace=rename',
          '-e',
          `inject=rename:delay_exit=${delayMs * 1000}`,
          ...node,
        ]
      : node;
  const child = spawn(cmd[0] as string, cmd.slice(1), { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<Awaited<Run['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}
const cli = (args: string[]) => start(args).done;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls `ok` until it holds; fails early when `run` ends first (it would never hold). */
async function until(what: string, ok: () => boolean, run?: Run, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  let ended = false;
  void run?.done.then(() => {
    ended = true;
  });
  while (!ok()) {
    if (ended) throw new Error(`the process ended before ${what}: ${(await run?.done)?.stderr}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The node process that strace runs (strace's only child). */
function tracee(stracePid: number): number {
  const kids = readFileSync(`/proc/${stracePid}/task/${stracePid}/children`, 'utf8').trim().split(/\s+/);
  return Number(kids[0]);
}

const hasStrace =
  spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'inject=rename:delay_exit=1', 'true']).status ===
  0;

/** Names in `dir` that start with `.<name>.` (swap leftovers, locks). */
const hidden = (dir: string, name: string) => readdirSync(dir).filter((n) => n.startsWith(`.${name}.`));

const data = join(work, 'data');

beforeAll(async () => {
  const r = await cli(['tokenize', '--corpus', CORPUS, '--out', data, '--vocab-size', '300']);
  expect(r.code, r.stderr).toBe(0);
});

describe('rerunning a command on the same --out', () => {
  it('tokenize: refused without --overwrite, replaced with it', async () => {
    const meta = readFileSync(join(data, 'meta.json'));
    const r = await cli(['tokenize', '--corpus', CORPUS, '--out', data, '--vocab-size', '280']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/data holds an earlier data folder; use --overwrite to replace it/);
    expect(readFileSync(join(data, 'meta.json')).equals(meta)).toBe(true);
    const again = await cli([
      'tokenize',
      '--corpus',
      CORPUS,
      '--out',
      data,
      '--vocab-size',
      '300',
      '--overwrite',
    ]);
    expect(again.code, again.stderr).toBe(0);
  });

  it('train: an existing run is refused in one line (exit 1) and kept; --overwrite starts over', async () => {
    const run = join(work, 'run-rerun');
    expect((await cli(TRAIN(data, run, 4))).code).toBe(0);
    const metrics = readFileSync(join(run, 'metrics.jsonl'));
    const best = readFileSync(join(run, 'checkpoints/best/model.safetensors'));
    const r = await cli(TRAIN(data, run, 4, '--seed', '9'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/already holds a training run .*--resume.*--overwrite/);
    expect(readFileSync(join(run, 'metrics.jsonl')).equals(metrics)).toBe(true);
    expect(readFileSync(join(run, 'checkpoints/best/model.safetensors')).equals(best)).toBe(true);
    const o = await cli(TRAIN(data, run, 4, '--seed', '9', '--overwrite'));
    expect(o.code, o.stderr).toBe(0);
    expect(readFileSync(join(run, 'metrics.jsonl')).equals(metrics)).toBe(false);
  });

  it("export: a user's folder that looks like an export is refused, naming it, even with --overwrite", async () => {
    const run = join(work, 'run-export');
    expect((await cli(TRAIN(data, run, 2))).code).toBe(0);
    const project = join(work, 'project');
    mkdirSync(join(project, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'README.md', 'onnx/mine.onnx']) writeFileSync(join(project, f), 'mine');
    const r = await cli([
      'export',
      '--model',
      join(run, 'checkpoints/best'),
      '--out',
      project,
      '--overwrite',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/project: is a non-empty folder that spinettai did not write/);
    // and an earlier export is replaced only with --overwrite, which the message names as a flag
    const again = await cli(['export', '--model', join(run, 'checkpoints/best'), '--out', join(work, 'exp')]);
    expect(again.code, again.stderr).toBe(0);
    const refused = await cli([
      'export',
      '--model',
      join(run, 'checkpoints/best'),
      '--out',
      join(work, 'exp'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/exp: holds an earlier spinettai export; use --overwrite to replace it/);
    expect(readdirSync(project).sort()).toEqual(['README.md', 'config.json', 'onnx']);
    expect(readdirSync(join(project, 'onnx'))).toEqual(['mine.onnx']);
  });

  it('info refuses a data folder with a new tokenizer.json beside old .bin files', async () => {
    const [a, b] = [join(work, 'data-a'), join(work, 'data-b')];
    expect((await cli(['tokenize', '--corpus', CORPUS, '--out', a, '--vocab-size', '300'])).code).toBe(0);
    expect((await cli(['tokenize', '--corpus', CORPUS, '--out', b, '--vocab-size', '280'])).code).toBe(0);
    writeFileSync(join(a, 'tokenizer.json'), readFileSync(join(b, 'tokenizer.json')));
    const info = await cli(['info', a]);
    expect(info.code).toBe(1);
    expect(info.stderr).toMatch(/tokenizer\.json is not the tokenizer meta\.json was encoded with/);
  });
});

describe('two processes on one --out', () => {
  it('the second train is refused naming the first pid; after a SIGKILL the lock is taken over', async () => {
    const run = join(work, 'run-two');
    const a = start(TRAIN(data, run, 100_000));
    await until('the first run to train', () => existsSync(join(run, 'metrics.jsonl')), a);
    const b = await cli(TRAIN(data, run, 4, '--resume'));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(
      new RegExp(`in use by another spinettai process \\(pid ${a.child.pid} on .*\`train\``),
    );
    a.child.kill('SIGKILL');
    await a.done;
    expect(existsSync(join(work, '.run-two.lock'))).toBe(true); // left by the kill
    const steps = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    const c = await cli(TRAIN(data, run, 2 + steps, '--resume'));
    expect(c.code, c.stderr).toBe(0);
    const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const ids = rows.map((l) => JSON.parse(l).step);
    expect(new Set(ids).size).toBe(ids.length); // no interleaved duplicates
    expect(existsSync(join(work, '.run-two.lock'))).toBe(false);
  });

  it.skipIf(!hasStrace)('the second export and tokenize are refused while the first is writing', async () => {
    const run = join(work, 'run-lock');
    expect((await cli(TRAIN(data, run, 2))).code).toBe(0);
    const out = join(work, 'export-lock');
    // Held inside its swap for ≥ 6 s (two renames of 3 s each) while the second one starts.
    const a = start(['export', '--model', join(run, 'checkpoints/best'), '--out', out], 3000);
    await until(
      'the first export to swap',
      () => hidden(work, 'export-lock').some((n) => n.includes('.new-')),
      a,
    );
    const b = await cli(['export', '--model', join(run, 'checkpoints/best'), '--out', out]);
    expect(b.code).toBe(1);
    expect(b.stderr, b.stderr).toMatch(
      /export-lock: is in use by another spinettai process \(pid \d+ .*`export`/,
    );
    expect((await a.done).code).toBe(0);

    const dataB = join(work, 'data-lock');
    const t = start(['tokenize', '--corpus', CORPUS, '--out', dataB, '--vocab-size', '300'], 3000);
    await until(
      'the first tokenize to swap',
      () => hidden(work, 'data-lock').some((n) => n.includes('.new-')),
      t,
    );
    const u = await cli(['tokenize', '--corpus', CORPUS, '--out', dataB, '--vocab-size', '300']);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/data-lock is in use by another spinettai process \(pid \d+ .*`tokenize`/);
    expect((await t.done).code).toBe(0);
  });
});

describe.skipIf(!hasStrace)('SIGKILL between the two renames of a folder swap', () => {
  /** Runs `args` under strace and SIGKILLs it once `between()` sees the mid-swap state. */
  async function killMidSwap(args: string[], between: () => boolean): Promise<void> {
    const r = start(args, 300);
    await until('the state between the renames', between, r, 120_000);
    process.kill(tracee(r.child.pid as number), 'SIGKILL');
    await r.done;
  }

  it('checkpoints/best: --resume restores it and cleans the leftovers', async () => {
    const run = join(work, 'run-kill');
    const ck = join(run, 'checkpoints');
    await killMidSwap(
      TRAIN(data, run, 40),
      () =>
        existsSync(ck) &&
        !existsSync(join(ck, 'best')) &&
        hidden(ck, 'best').some((n) => n.includes('.old-')),
    );
    expect(existsSync(join(ck, 'best'))).toBe(false); // the state issue 12 reported as lost
    const r = await cli(TRAIN(data, run, 2, '--resume'));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(ck, 'best', 'model.safetensors'))).toBe(true);
    expect(r.stdout).toContain(join(ck, 'best'));
    expect(readdirSync(ck).sort()).toEqual(['best', 'last']);
  });

  it('export: the next export finishes or undoes the swap and cleans up', async () => {
    const run = join(work, 'run-kill');
    const out = join(work, 'export-kill');
    const model = join(run, 'checkpoints/best');
    expect((await cli(['export', '--model', model, '--out', out])).code).toBe(0);
    await killMidSwap(
      ['export', '--model', model, '--out', out, '--overwrite'],
      () => !existsSync(out) && hidden(work, 'export-kill').some((n) => n.includes('.old-')),
    );
    const r = await cli(['export', '--model', model, '--out', out, '--overwrite']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'onnx', 'model.onnx'))).toBe(true);
    expect(hidden(work, 'export-kill')).toEqual([]);
  });

  it('tokenize over an existing data folder: never a new tokenizer.json beside old .bin files', async () => {
    const d = join(work, 'data-kill');
    expect((await cli(['tokenize', '--corpus', CORPUS, '--out', d, '--vocab-size', '300'])).code).toBe(0);
    await killMidSwap(
      ['tokenize', '--corpus', CORPUS, '--out', d, '--vocab-size', '280', '--overwrite'],
      () => !existsSync(d) && hidden(work, 'data-kill').some((n) => n.includes('.old-')),
    );
    // Reading the folder (train's loader) repairs the swap; info then checks it is whole.
    const r = await cli(TRAIN(d, join(work, 'run-after-kill'), 2));
    expect(r.code, r.stderr).toBe(0);
    const info = await cli(['info', d]);
    expect(info.code, info.stderr).toBe(0);
    expect(hidden(work, 'data-kill')).toEqual(['.data-kill.lock']); // the killed writer's, now stale
    const again = await cli([
      'tokenize',
      '--corpus',
      CORPUS,
      '--out',
      d,
      '--vocab-size',
      '300',
      '--overwrite',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(hidden(work, 'data-kill')).toEqual([]);
  });
});
