// The model behind `spinettai serve`: a small pool of TextGenerators over one export or
// checkpoint folder (one onnxruntime session each, since a generator runs one generation
// at a time). The server's gate guarantees that no more jobs run than generators exist.

import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { TextGenerator } from '@spinettai/model';
import { type LyricsCorpus, loadTextGenerator } from '@spinettai/model/node';
import type { ChoiceJob, ChoiceResult, CompletionEngine } from './server.js';

/** Options of `openEngine`. */
export interface EngineOptions {
  /** Export or checkpoint folder. */
  model: string;
  /** Generators (parallel generations). */
  concurrency: number;
  /** onnxruntime intra-op threads per generator. */
  threads?: number | undefined;
  /** The id clients name in `model` (default: the folder's name). */
  modelId?: string | undefined;
  /** Training lyrics (loaded once by the caller) for the copied-lyrics guard; none = guard off. */
  lyrics?: LyricsCorpus | undefined;
  /** The guard's window in words (0 = off); used only with `lyrics`. */
  maxCopyWords?: number | undefined;
}

/** A CompletionEngine over a pool of generators; `close()` frees their sessions. */
export interface PooledEngine extends CompletionEngine {
  close(): Promise<void>;
}

/** Loads `concurrency` generators of one model folder. */
export async function openEngine(opts: EngineOptions): Promise<PooledEngine> {
  const dir = resolve(opts.model);
  const created = Math.floor((await stat(dir)).mtimeMs / 1000);
  const free: TextGenerator[] = [];
  const maxCopyWords = opts.lyrics === undefined ? 0 : (opts.maxCopyWords ?? 0);
  const lyricsIndex = maxCopyWords > 0 ? opts.lyrics?.index : undefined;
  try {
    for (let i = 0; i < opts.concurrency; i++)
      free.push(await loadTextGenerator(dir, { threads: opts.threads, lyricsIndex }));
  } catch (e) {
    for (const g of free) await g.release();
    throw e;
  }
  const all = [...free];
  const modelId = opts.modelId ?? basename(dir);
  return {
    modelId,
    created,
    async generate(
      job: ChoiceJob,
      onText: (piece: string) => void,
      signal: AbortSignal,
    ): Promise<ChoiceResult> {
      const g = free.pop();
      if (g === undefined)
        throw new Error('no free generator: the gate admitted more jobs than the pool holds');
      try {
        const r = await g.generate(job.prompt, {
          maxNewTokens: job.maxTokens,
          temperature: job.temperature,
          topP: job.topP,
          topK: job.topK,
          repetitionPenalty: 1,
          seed: job.seed,
          stop: job.stop,
          signal,
          onToken: onText,
          maxCopyWords,
        });
        return {
          finishReason: r.finishReason === 'length' ? 'length' : 'stop',
          promptTokens: r.promptTokens,
          completionTokens: r.tokenIds.length,
        };
      } finally {
        free.push(g);
      }
    },
    async close() {
      for (const g of all) await g.release();
    },
  };
}
