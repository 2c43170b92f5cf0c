#!/usr/bin/env node
// Generation speed in the browser (the lyrics page: onnxruntime-web WASM in a worker)
// against Node (onnxruntime-node), on the same export folder, same prompt, seed and
// sampling, so both write the same tokens. Medians of a few runs and their ratio.
//
//   npm run demo                                  # writes runs/demo/export
//   pnpm exec turbo run build --filter=spinettai...
//   node bench/web.mjs [--model runs/demo/export] [--runs 5] [--max-tokens 200]
//
// The browser is Debian's chromium (apt-get install chromium), driven by playwright-core.
// `spinettai serve` serves the page cross-origin isolated, so onnxruntime-web may use
// threads; Node uses onnxruntime-node with its default threads.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'runs/demo/export' },
    runs: { type: 'string', default: '5' },
    'max-tokens': { type: 'string', default: '200' },
    prompt: { type: 'string', default: 'Bajo el sol' },
  },
});
const model = resolve(args.model);
const runs = Number(args.runs);
const maxTokens = Number(args['max-tokens']);
const seed = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
if (!existsSync(join(model, 'onnx', 'model.onnx'))) {
  console.error(`no export at ${model}: run \`npm run demo\` first, or pass --model <export folder>`);
  process.exit(1);
}

// Node: the library's TextGenerator on onnxruntime-node.
const { loadTextGenerator } = await import(pathToFileURL(join(root, 'packages/model/dist/node.js')).href);
const gen = await loadTextGenerator(model);
const node = [];
for (let i = 0; i <= runs; i++) {
  const t0 = performance.now();
  const r = await gen.generate(args.prompt, { maxNewTokens: maxTokens, seed });
  const s = (performance.now() - t0) / 1000;
  if (i > 0) node.push({ tokens: r.tokenIds.length, tps: r.tokenIds.length / s }); // run 0 warms up
}
await gen.release();

// Browser: the page served by `spinettai serve`, one generation per page load.
const req = createRequire(join(root, 'apps/cli/package.json'));
const { chromium } = req('playwright-core');
const server = spawn(process.execPath, [
  join(root, 'apps/cli/dist/bin.js'),
  'serve',
  '--model',
  model,
  '--port',
  '0',
]);
const url = await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (\S+)/.exec(out);
    if (m) ok(m[1]);
  });
  server.on('exit', (c) => fail(new Error(`serve exited with ${c}`)));
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const web = [];
try {
  for (let i = 0; i <= runs; i++) {
    const page = await browser.newPage();
    const q = new URLSearchParams({
      prompt: args.prompt,
      max_tokens: String(maxTokens),
      seed: String(seed),
      autorun: '1',
    });
    await page.goto(`${url}/?${q}`);
    await page.waitForSelector('#output[data-state="done"]', { timeout: 300_000 });
    const tokens = Number(await page.getAttribute('#output', 'data-tokens'));
    const seconds = Number(await page.getAttribute('#output', 'data-seconds'));
    if (i > 0) web.push({ tokens, tps: tokens / seconds });
    await page.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}

const nodeTps = median(node.map((r) => r.tps));
const webTps = median(web.map((r) => r.tps));
console.log(
  `model ${model}; ${runs} runs each after a warm-up; ${availableParallelism()} cores, load ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `tokens per run: node ${node.map((r) => r.tokens).join(',')}  browser ${web.map((r) => r.tokens).join(',')}`,
);
console.log(`node (onnxruntime-node)        ${nodeTps.toFixed(1)} tokens/s (median)`);
console.log(`browser (onnxruntime-web WASM) ${webTps.toFixed(1)} tokens/s (median)`);
console.log(`browser / node                 ${(webTps / nodeTps).toFixed(2)}×`);
