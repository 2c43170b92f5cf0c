// The generation worker: loads an export folder over HTTP into onnxruntime-web (WASM)
// and streams generated text back to the page, so the page stays responsive.
// onnxruntime-web is not bundled into this script: its self-contained ESM build
// (ort.wasm.bundle.min.mjs, glue included) and its wasm sit in ./ort/ and are loaded at run
// time, so its own thread workers start from that file.

/// <reference lib="webworker" />
import { countParams, fromHfConfig, HashedLyricsIndex, TextGenerator } from '@spinettai/model';
import { Tokenizer } from '@spinettai/tokenizer';
import type * as Ort from 'onnxruntime-web';
import type { FromWorker, ModelInfo, Settings, ToWorker } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** transformers.js's file name for each dtype (what `spinettai export --quantize` writes). */
const MODEL_FILES: Record<string, string> = {
  fp32: 'onnx/model.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
  fp16: 'onnx/model_fp16.onnx',
};

let generator: TextGenerator | undefined;
let running: AbortController | undefined;
let artistIds = new Map<string, number>();
/** The copied-lyrics guard's hashed windows, when the site has lyrics-guard.bin. */
let guard: HashedLyricsIndex | undefined;

const post = (m: FromWorker) => self.postMessage(m);

async function fetchOk(base: string, file: string): Promise<Response> {
  const url = new URL(file, base);
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${r.status}`);
  return r;
}

async function load(base: string, dtype: string): Promise<ModelInfo> {
  const file = MODEL_FILES[dtype];
  if (file === undefined) throw new Error(`unknown dtype '${dtype}': use fp32, q8, q4 or fp16`);
  const ortDir = new URL('./ort/', self.location.href).href;
  const ort = (await import(/* webpackIgnore: true */ `${ortDir}ort.wasm.bundle.min.mjs`)) as typeof Ort;
  const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  ort.env.wasm.wasmPaths = { wasm: `${ortDir}ort-wasm-simd-threaded.wasm` }; // the glue is inside the bundle
  ort.env.wasm.numThreads = threads;
  const configJson = (await (await fetchOk(base, 'config.json')).json()) as Record<string, unknown>;
  const config = fromHfConfig(configJson);
  const tokenizerJson = await (await fetchOk(base, 'tokenizer.json')).text();
  const tokenizerConfig = await fetchOk(base, 'tokenizer_config.json').then(
    (r) => r.text(),
    () => undefined,
  );
  const tokenizer = Tokenizer.fromStrings(tokenizerJson, tokenizerConfig);
  artistIds = new Map();
  for (const t of (JSON.parse(tokenizerJson) as { added_tokens?: { id: number; content: string }[] })
    .added_tokens ?? []) {
    const m = /^<\|artist:(.+)\|>$/.exec(t.content);
    if (m) artistIds.set(m[1]!, t.id);
  }
  const model = new Uint8Array(await (await fetchOk(base, file)).arrayBuffer());
  await generator?.release();
  generator = await TextGenerator.create({ ort, model, config, tokenizer });
  guard = await fetch(new URL('lyrics-guard.bin', base)).then(
    async (r) => (r.ok ? HashedLyricsIndex.fromBytes(new Uint8Array(await r.arrayBuffer())) : undefined),
    () => undefined,
  );
  const extra = (configJson['spinettai'] ?? {}) as Record<string, unknown>;
  return {
    nLayer: config.nLayer,
    nHead: config.nHead,
    nEmbd: config.nEmbd,
    vocabSize: config.vocabSize,
    blockSize: config.blockSize,
    params: countParams(config),
    artists: [...artistIds.keys()],
    dtype,
    backend: 'WASM',
    threads,
    copyGuard: guard?.n ?? 0,
    trainSongs: typeof extra['train_songs'] === 'number' ? extra['train_songs'] : undefined,
    bestValLoss: typeof extra['best_val_loss'] === 'number' ? extra['best_val_loss'] : undefined,
  };
}

async function generate(s: Settings): Promise<void> {
  if (generator === undefined) throw new Error('the model is not loaded yet');
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const t0 = performance.now();
  let tokens = 0;
  const options = {
    maxNewTokens: s.maxTokens,
    temperature: s.temperature,
    topK: s.topK,
    topP: s.topP,
    seed: s.seed,
    signal: controller.signal,
    ...(s.artist !== '' ? { artist: s.artist } : {}),
    // The guard is on whenever the site has one; max_copy_words=0 in the URL turns it off.
    ...(guard !== undefined && s.maxCopyWords !== 0
      ? { lyricsIndex: guard, maxCopyWords: Math.max(s.maxCopyWords ?? guard.n, guard.n) }
      : {}),
  };
  const it = generator.stream(s.prompt, options);
  for (;;) {
    const r = await it.next();
    if (r.done) {
      tokens = r.value.tokenIds.length;
      post({
        type: 'done',
        finishReason: r.value.finishReason,
        tokens,
        seconds: (performance.now() - t0) / 1000,
      });
      break;
    }
    tokens++;
    post({ type: 'piece', text: r.value, tokens });
  }
  if (running === controller) running = undefined;
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  const fail = (err: unknown) =>
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  if (m.type === 'load') load(m.base, m.dtype).then((info) => post({ type: 'loaded', info }), fail);
  else if (m.type === 'generate') generate(m.settings).catch(fail);
  else running?.abort();
};
