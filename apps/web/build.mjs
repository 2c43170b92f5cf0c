// Builds the lyrics page into dist/: index.html, style.css, app.js (the page) and
// worker.js (generation), bundled with esbuild for browsers, plus onnxruntime-web's
// WASM build in dist/ort/ (imported at run time by the worker, not bundled).
// `spinettai serve` serves dist/ with a model; `spinettai export --web` copies it
// into an export folder to make a static site.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'ort'), { recursive: true });

await build({
  entryPoints: { app: join(here, 'src/main.ts'), worker: join(here, 'src/worker.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  external: ['onnxruntime-web'],
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(here, 'src', f), join(out, f));

const ortDist = dirname(
  createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
);
for (const f of ['ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.wasm'])
  copyFileSync(join(ortDist, f), join(out, 'ort', f));
