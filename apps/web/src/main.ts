// The lyrics page: reads its settings from the URL and the form, runs generation in a
// worker (worker.ts) and streams the text into #output. #output's data-state is
// "running" while generating, "done" when finished and "error" with a readable message.
// The model is the export folder the page is served from (or ?model=<url of a folder>).

import type { FromWorker, ModelInfo, Settings, ToWorker } from './protocol.js';
import { settingsFromQuery } from './settings.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const output = $<HTMLPreElement>('output');
const status = $<HTMLSpanElement>('status');
const generateButton = $<HTMLButtonElement>('generate');
const stopButton = $<HTMLButtonElement>('stop');
const fields = {
  prompt: $<HTMLTextAreaElement>('prompt'),
  temperature: $<HTMLInputElement>('temperature'),
  top_k: $<HTMLInputElement>('top_k'),
  top_p: $<HTMLInputElement>('top_p'),
  max_tokens: $<HTMLInputElement>('max_tokens'),
  seed: $<HTMLInputElement>('seed'),
  artist: $<HTMLSelectElement>('artist'),
};

let dtype = 'fp32';
let maxCopyWords: number | undefined;
let started = 0;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

function setState(state: 'idle' | 'running' | 'done' | 'error', message?: string): void {
  output.dataset['state'] = state;
  if (state === 'error') output.textContent = message ?? 'error';
  generateButton.disabled = state === 'running';
  stopButton.disabled = state !== 'running';
}

function fill(s: Settings): void {
  fields.prompt.value = s.prompt;
  fields.temperature.value = String(s.temperature);
  fields.top_k.value = String(s.topK);
  fields.top_p.value = String(s.topP);
  fields.max_tokens.value = String(s.maxTokens);
  fields.seed.value = String(s.seed);
}

function read(): Settings {
  const n = (el: HTMLInputElement) => Number(el.value);
  return {
    prompt: fields.prompt.value,
    temperature: n(fields.temperature),
    topK: n(fields.top_k),
    topP: n(fields.top_p),
    maxTokens: n(fields.max_tokens),
    seed: n(fields.seed),
    artist: fields.artist.value,
    dtype,
    maxCopyWords,
  };
}

function showInfo(info: ModelInfo): void {
  const facts: [string, string][] = [
    ['Size', `${info.nLayer} layers, ${info.nEmbd} wide, ${info.nHead} heads, context ${info.blockSize}`],
    ['Parameters', `${(info.params / 1e6).toFixed(2)} M`],
    ['Vocabulary', `${info.vocabSize} tokens`],
    ['Weights', `${info.dtype} on ${info.backend}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`],
  ];
  facts.push([
    'Copy guard',
    info.copyGuard > 0
      ? `on: never ${info.copyGuard} consecutive words of the training lyrics`
      : 'off (this site has no lyrics-guard.bin)',
  ]);
  if (info.trainSongs !== undefined) facts.push(['Training songs', String(info.trainSongs)]);
  if (info.bestValLoss !== undefined) facts.push(['Best validation loss', info.bestValLoss.toFixed(3)]);
  $('facts').replaceChildren(
    ...facts.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  if (info.artists.length > 0) {
    $('artist-field').hidden = false;
    for (const a of info.artists) fields.artist.add(new Option(a, a));
  }
}

function start(): void {
  const s = read();
  output.textContent = s.prompt;
  started = performance.now();
  setState('running');
  status.textContent = 'writing…';
  send({ type: 'generate', settings: s });
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.type === 'loaded') {
    showInfo(m.info);
    status.textContent = 'ready';
    generateButton.disabled = false;
    if (autorun) start();
  } else if (m.type === 'piece') {
    output.textContent += m.text;
    const secs = (performance.now() - started) / 1000;
    status.textContent = `writing… ${(m.tokens / Math.max(secs, 1e-3)).toFixed(1)} tokens/s`;
  } else if (m.type === 'done') {
    output.dataset['tokens'] = String(m.tokens);
    output.dataset['seconds'] = String(m.seconds);
    status.textContent = `${m.tokens} tokens in ${m.seconds.toFixed(2)} s — ${(m.tokens / Math.max(m.seconds, 1e-3)).toFixed(1)} tokens/s (${m.finishReason})`;
    setState('done');
  } else {
    status.textContent = 'error';
    setState('error', m.message);
  }
};
worker.onerror = (e) => setState('error', `the generation worker failed: ${e.message}`);

$<HTMLFormElement>('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  start();
});
stopButton.addEventListener('click', () => send({ type: 'stop' }));

let autorun = false;
try {
  const q = settingsFromQuery(location.search);
  fill(q.settings);
  autorun = q.autorun;
  dtype = q.settings.dtype;
  maxCopyWords = q.settings.maxCopyWords;
  if (q.settings.artist !== '')
    fields.artist.add(new Option(q.settings.artist, q.settings.artist, true, true));
  const base = new URL(new URLSearchParams(location.search).get('model') ?? './', location.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  send({ type: 'load', base: base.href, dtype });
} catch (err) {
  setState('error', (err as Error).message);
}
