// The lyrics page and its model, as `serve` and `export --web` lay them out: the page's
// files (index.html, app.js, worker.js, style.css, ort/) and the export folder's files
// (config.json, tokenizer.json, onnx/…) side by side at the site's root, so the same
// page works from `serve` and from any static file server.

import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { HashedLyricsIndex } from '@spinettai/model';
import type { LyricsCorpus } from '@spinettai/model/node';
import type { FastifyInstance } from 'fastify';

/** The built page shipped with the CLI (dist/web). */
export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * Headers that make the page cross-origin isolated, so onnxruntime-web may use threads
 * (SharedArrayBuffer). A plain static server without them gets the single-threaded build.
 */
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** The export folder's files the page reads, besides onnx/*. */
const MODEL_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** File name of the page's copied-lyrics guard: hashed word windows of the training lyrics. */
export const GUARD_FILE = 'lyrics-guard.bin';

/**
 * Serves the page at / and the export folder's files beside it, cross-origin isolated.
 * With `guard` (HashedLyricsIndex bytes) the page's generations are guarded too.
 */
export async function registerPage(
  app: FastifyInstance,
  exportDir: string,
  guard?: Uint8Array,
): Promise<void> {
  if (guard !== undefined)
    app.get(`/${GUARD_FILE}`, (_req, reply) =>
      reply.type('application/octet-stream').send(Buffer.from(guard)),
    );
  app.addHook('onSend', async (req, reply) => {
    if (!req.url.startsWith('/v1/')) reply.headers(ISOLATION);
  });
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', index: 'index.html' });
  for (const f of MODEL_FILES) app.get(`/${f}`, (_req, reply) => reply.sendFile(f, exportDir));
  app.get<{ Params: { file: string } }>('/onnx/:file', (req, reply) =>
    reply.sendFile(req.params.file, join(exportDir, 'onnx')),
  );
}

/** Copies the page into an export folder, making it a static site (`export --web`), with its guard file if given. */
export async function writePage(exportDir: string, guard?: Uint8Array): Promise<string[]> {
  const written: string[] = [];
  if (guard !== undefined) {
    await writeFile(join(exportDir, GUARD_FILE), guard);
    written.push(GUARD_FILE);
  }
  for (const entry of await readdir(WEB_ROOT)) {
    await cp(join(WEB_ROOT, entry), join(exportDir, entry), { recursive: true });
    written.push(entry);
  }
  return written;
}

/**
 * The page's guard file for loaded training lyrics: hashed `maxCopyWords`-word windows of
 * their songs, or undefined when there are none or the guard is off (0).
 */
export function pageGuard(lyrics: LyricsCorpus | undefined, maxCopyWords: number): Uint8Array | undefined {
  if (lyrics === undefined || maxCopyWords === 0) return undefined;
  return HashedLyricsIndex.fromTexts(lyrics.texts, maxCopyWords).toBytes();
}
