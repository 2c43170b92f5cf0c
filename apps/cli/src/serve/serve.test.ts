// `spinettai serve` as a user meets it: the built CLI serving a tiny exported model on
// 127.0.0.1, called with the official `openai` client and with raw HTTP. The greedy
// text must equal `spinettai generate`'s for the same prompt.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel } from '../test-utils/tinyModel.js';

const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'spinettai-serve-'));
const exported = join(work, 'export');
const PROMPT = 'La noche';

async function tinyExport(): Promise<void> {
  await tinyModel(work);
}

interface Server {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

function startServer(args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--model', exported, '--port', '0', ...args]);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve({ url: m[1]!, child, stdout: () => stdout, stderr: () => stderr });
    });
  });
}

function stop(s: Server): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve(s.child.exitCode);
    s.child.removeAllListeners('exit');
    s.child.on('exit', (code) => resolve(code));
    s.child.kill('SIGTERM');
  });
}

function cliGreedy(maxTokens: number): string {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'generate',
      '--model',
      exported,
      '--prompt',
      PROMPT,
      '--temperature',
      '0',
      '--repetition-penalty',
      '1',
      '--max-tokens',
      String(maxTokens),
    ],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '').slice(PROMPT.length);
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

let server: Server;
let client: OpenAI;
let modelId: string;

beforeAll(async () => {
  await tinyExport();
  server = await startServer(['--concurrency', '1', '--queue', '8']);
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  modelId = (await client.models.list()).data[0]!.id;
}, 120_000);

afterAll(async () => {
  if (server) await stop(server);
  rmSync(work, { recursive: true, force: true });
});

describe('spinettai serve', () => {
  it('binds 127.0.0.1 by default and lists its model', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await client.models.list();
    // An export folder named `export` is served under its run's name (runs/demo/export → demo).
    expect(models.data.map((m) => m.id)).toEqual([basename(work)]);
  });

  it('plain and streamed completions give the CLI greedy text, with usage counts', async () => {
    const expected = cliGreedy(20);
    expect(expected.length).toBeGreaterThan(0);
    const plain = await client.completions.create({
      model: modelId,
      prompt: PROMPT,
      max_tokens: 20,
      temperature: 0,
    });
    expect(plain.object).toBe('text_completion');
    expect(plain.choices[0]!.text).toBe(expected);
    expect(plain.usage!.completion_tokens).toBeGreaterThan(0);
    expect(plain.usage!.completion_tokens).toBeLessThanOrEqual(20);
    expect(plain.usage!.total_tokens).toBe(plain.usage!.prompt_tokens + plain.usage!.completion_tokens);

    const stream = await client.completions.create({
      model: modelId,
      prompt: PROMPT,
      max_tokens: 20,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.text ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe(expected);
    expect(chunks).toBeGreaterThan(2);
    expect(usage).toEqual(plain.usage);
  });

  it('ends a streamed answer with data: [DONE]', async () => {
    const r = await post(server.url, {
      model: modelId,
      prompt: PROMPT,
      max_tokens: 5,
      temperature: 0,
      stream: true,
    });
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const body = await r.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('answers bad requests with an OpenAI-shaped 400 naming the parameter', async () => {
    const cases: [unknown, string | null][] = [
      [{ model: modelId, prompt: PROMPT, temperature: 5 }, 'temperature'],
      [{ model: modelId, prompt: 42 }, 'prompt'],
      [{ model: modelId, prompt: PROMPT, max_tokens: 10_000 }, 'max_tokens'],
      [{ model: modelId, prompt: PROMPT, max_new_tokens: 3 }, 'max_new_tokens'],
      [{ model: modelId, prompt: PROMPT, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
      [{ prompt: PROMPT }, 'model'],
      ['{"model": "x", ', null],
    ];
    for (const [body, param] of cases) {
      const r = await post(server.url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const e = (await r.json()) as { error: { message: string; type: string; param: string | null } };
      expect(e.error.type).toBe('invalid_request_error');
      expect(e.error.param).toBe(param);
      expect(e.error.message.length).toBeGreaterThan(5);
    }
    const wrongModel = await post(server.url, { model: 'gpt-4', prompt: PROMPT });
    expect(wrongModel.status).toBe(404);
    const big = await post(server.url, { model: modelId, prompt: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(/larger than/);
  });

  it('says to use /v1/completions when asked for chat', async () => {
    await expect(
      client.chat.completions.create({ model: modelId, messages: [{ role: 'user', content: 'hola' }] }),
    ).rejects.toMatchObject({ status: 404, message: expect.stringMatching(/\/v1\/completions/) });
  });

  it('completes concurrent requests (queued behind one generation slot) with the same greedy text', async () => {
    const expected = cliGreedy(12);
    const all = await Promise.all(
      Array.from({ length: 5 }, () =>
        client.completions.create({ model: modelId, prompt: PROMPT, max_tokens: 12, temperature: 0 }),
      ),
    );
    for (const r of all) expect(r.choices[0]!.text).toBe(expected);
  });
});

describe('spinettai serve under load and interruption', () => {
  it('answers 503 with Retry-After when the queue is full, and a disconnect frees the slot at once', async () => {
    const s = await startServer(['--concurrency', '1', '--queue', '0', '--max-tokens-limit', '1000000']);
    try {
      const long = new AbortController();
      const first = await fetch(`${s.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: modelId, prompt: PROMPT, max_tokens: 1_000_000, stream: true }),
        signal: long.signal,
      });
      const reader = first.body!.getReader();
      await reader.read(); // generating now
      const busy = await post(s.url, { model: modelId, prompt: PROMPT, max_tokens: 3 });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      long.abort();
      // A million tokens would take minutes; the aborted generation must let go of the slot now.
      const t0 = Date.now();
      let status = 0;
      while (Date.now() - t0 < 10_000) {
        status = (await post(s.url, { model: modelId, prompt: PROMPT, max_tokens: 3 })).status;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      expect(await stop(s)).toBe(0);
      expect(s.stderr()).toContain('stopped');
    }
  }, 60_000);
});
