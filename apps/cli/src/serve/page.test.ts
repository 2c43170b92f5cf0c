// The lyrics page in a real headless browser (Debian's chromium driven by
// playwright-core): served by `spinettai serve`, and as an `export --web` folder served
// by a plain static file server (python3 -m http.server). Greedy text must equal the
// CLI's. Screenshots are kept in test-artifacts/.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from '../test-utils/tinyModel.js';

const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'spinettai-page-'));
const PROMPT = 'La noche';
let model: { checkpoint: string; exported: string };
let browser: Browser;
const children: ChildProcess[] = [];

/** Starts a process and resolves with the first match of `pattern` in its output. */
function startAndWait(cmd: string, args: string[], pattern: RegExp): Promise<RegExpExecArray> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve(m);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
}

function cliGreedy(dir: string, maxTokens: number): string {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'generate',
      '--model',
      dir,
      '--prompt',
      PROMPT,
      '--temperature',
      '0',
      '--max-tokens',
      String(maxTokens),
    ],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '');
}

/** Opens the page with the testability contract's URL parameters and returns #output's text. */
async function pageGreedy(
  url: string,
  shot: string,
): Promise<{ text: string; state: string; guard: string }> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone-sized screen
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(
      `${url}/?prompt=${encodeURIComponent(PROMPT)}&temperature=0&max_tokens=20&seed=3&autorun=1`,
    );
    await page.waitForSelector('#output[data-state="done"], #output[data-state="error"]', {
      timeout: 60_000,
    });
    const state = (await page.getAttribute('#output', 'data-state')) ?? '';
    const text = (await page.textContent('#output')) ?? '';
    const guard = (await page.textContent('#facts')) ?? '';
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
    expect(errors).toEqual([]);
    return { text, state, guard };
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Debian's chromium is not installed at ${CHROMIUM}: the browser tests cannot run. Install it with 'apt-get install chromium' (.ci/run does this).`,
    );
  model = await tinyModel(work);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const c of children) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

describe('the lyrics page', () => {
  it('served by spinettai serve: writes the CLI greedy text, prompt included', async () => {
    const [, url] = await startAndWait(
      process.execPath,
      [BIN, 'serve', '--model', model.exported, '--port', '0'],
      /listening on (http:\/\/\S+)/,
    );
    const expected = cliGreedy(model.exported, 20);
    const { text, state } = await pageGreedy(url!, 'page-serve.png');
    expect(state).toBe('done');
    expect(text).toBe(expected);
    expect(text.length).toBeGreaterThan(PROMPT.length);
  }, 120_000);

  it('runs the copied-lyrics guard in the browser when serve has a corpus (hashes only, no lyrics)', async () => {
    // The corpus is the model's own unguarded greedy text: guarded, the page must write something else.
    const unguarded = cliGreedy(model.exported, 20);
    const corpus = join(work, 'corpus.jsonl');
    writeFileSync(corpus, `${JSON.stringify({ id: 1, title: 't', artist: 'a', lyrics: unguarded })}\n`);
    const [, url] = await startAndWait(
      process.execPath,
      [BIN, 'serve', '--model', model.exported, '--port', '0', '--corpus', corpus, '--max-copy-words', '2'],
      /listening on (http:\/\/\S+)/,
    );
    const bin = await fetch(`${url}/lyrics-guard.bin`);
    expect(bin.status).toBe(200);
    const bytes = new Uint8Array(await bin.arrayBuffer());
    expect(new TextDecoder().decode(bytes)).not.toContain(unguarded.slice(PROMPT.length, PROMPT.length + 6));
    const { text, state, guard } = await pageGreedy(url!, 'page-guard.png');
    expect(state).toBe('done');
    expect(guard).toMatch(/Copy guardon: never 2 consecutive words/);
    expect(text.startsWith(PROMPT)).toBe(true);
    expect(text).not.toBe(unguarded);
  }, 120_000);

  it('an export --web folder works from a plain static file server', async () => {
    const site = join(work, 'site');
    const r = spawnSync(
      process.execPath,
      [BIN, 'export', '--model', model.checkpoint, '--out', site, '--web'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    for (const f of [
      'index.html',
      'app.js',
      'worker.js',
      'ort/ort-wasm-simd-threaded.wasm',
      'onnx/model.onnx',
      'config.json',
    ])
      expect(existsSync(join(site, f)), f).toBe(true);
    const [, port] = await startAndWait(
      'python3',
      ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', site, '0'],
      /port (\d+)/,
    );
    const { text, state, guard } = await pageGreedy(`http://127.0.0.1:${port}`, 'page-static.png');
    expect(state).toBe('done');
    expect(guard).toMatch(/Copy guardoff/);
    expect(text).toBe(cliGreedy(model.exported, 20));
  }, 120_000);

  it('reports a bad URL parameter in #output with data-state="error"', async () => {
    const [, url] = await startAndWait(
      process.execPath,
      [BIN, 'serve', '--model', model.exported, '--port', '0'],
      /listening on (http:\/\/\S+)/,
    );
    const page = await browser.newPage();
    try {
      await page.goto(`${url}/?temperature=hot&autorun=1`);
      await page.waitForSelector('#output[data-state="error"]', { timeout: 30_000 });
      expect(await page.textContent('#output')).toMatch(/temperature/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
