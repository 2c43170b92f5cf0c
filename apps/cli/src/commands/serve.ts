// `spinettai serve`: an OpenAI-compatible completions API (and the lyrics page) over an
// export or checkpoint folder, on 127.0.0.1 unless told otherwise.

import { DEFAULT_MAX_COPY_WORDS } from '@spinettai/model';
import { loadLyricsCorpus } from '@spinettai/model/node';
import type { Command } from 'commander';
import { corpusFor } from '../corpus.js';
import { UserError } from '../errors.js';
import { nonNegativeInt, positiveInt } from '../options.js';
import { openEngine } from '../serve/engine.js';
import { pageGuard, registerPage } from '../serve/page.js';
import { servedExport } from '../serve/servedExport.js';
import { createApiServer } from '../serve/server.js';

interface ServeFlags {
  model: string;
  host: string;
  port: number;
  concurrency: number;
  queue: number;
  maxTokensLimit: number;
  bodyLimit: number;
  threads?: number;
  maxCopyWords: number;
  corpus?: string;
}

/** Defaults of `serve`, shown in --help. */
export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  concurrency: 1,
  queue: 16,
  maxTokensLimit: 1024,
  bodyLimit: 64 * 1024,
} as const;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve a model over HTTP: an OpenAI-compatible API (POST /v1/completions, GET /v1/models) and the lyrics page.',
    )
    .requiredOption('--model <dir>', 'export folder (spinettai export) or checkpoint folder')
    .option(
      '--host <host>',
      'address to bind; anything but loopback exposes the model to the network',
      SERVE_DEFAULTS.host,
    )
    .option('--port <n>', 'port to listen on; 0 = any free port', nonNegativeInt, SERVE_DEFAULTS.port)
    .option(
      '--concurrency <n>',
      'generations at once (one onnxruntime session each)',
      positiveInt,
      SERVE_DEFAULTS.concurrency,
    )
    .option(
      '--queue <n>',
      'requests that may wait for a slot; beyond that, 503 with Retry-After',
      nonNegativeInt,
      SERVE_DEFAULTS.queue,
    )
    .option(
      '--max-tokens-limit <n>',
      'largest max_tokens a request may ask for',
      positiveInt,
      SERVE_DEFAULTS.maxTokensLimit,
    )
    .option('--body-limit <bytes>', 'largest request body', positiveInt, SERVE_DEFAULTS.bodyLimit)
    .option('--threads <n>', 'onnxruntime intra-op threads per session', positiveInt)
    .option(
      '--max-copy-words <n>',
      'copied-lyrics guard of the API: never write this many consecutive words of the training lyrics; 0 = off',
      nonNegativeInt,
      DEFAULT_MAX_COPY_WORDS,
    )
    .option(
      '--corpus <path>',
      "training lyrics for the guard: corpus file or data folder (default: the checkpoint's data folder; without one the guard is off)",
    )
    .action(async (flags: ServeFlags) => {
      if (flags.maxCopyWords === 1) throw new UserError('--max-copy-words must be 0 (off) or at least 2');
      const corpus = flags.maxCopyWords > 0 ? await corpusFor(flags.model, flags.corpus) : undefined;
      if (flags.maxCopyWords > 0)
        process.stderr.write(
          corpus === undefined
            ? 'copied-lyrics guard off: no corpus (the model records no data folder); pass --corpus <corpus file or data folder> to turn it on\n'
            : `copied-lyrics guard on: no ${flags.maxCopyWords} consecutive words of ${corpus} (--max-copy-words 0 turns it off)\n`,
        );
      // Loaded once: the API's guard uses the index, the page's guard file hashes the texts.
      const lyrics = corpus === undefined ? undefined : await loadLyricsCorpus(corpus);
      const served = await servedExport(flags.model);
      const engine = await openEngine({
        model: served.dir,
        modelId: served.modelId,
        concurrency: flags.concurrency,
        threads: flags.threads,
        lyrics,
        maxCopyWords: flags.maxCopyWords,
      }).catch(async (e: unknown) => {
        await served.cleanup();
        throw e;
      });
      const app = await createApiServer({
        engine,
        limits: { maxTokens: flags.maxTokensLimit, maxChoices: 16 },
        concurrency: flags.concurrency,
        queue: flags.queue,
        bodyLimit: flags.bodyLimit,
        extra: async (a) => registerPage(a, served.dir, pageGuard(lyrics, flags.maxCopyWords)),
      });
      let address: string;
      try {
        address = await app.listen({ host: flags.host, port: flags.port });
      } catch (e) {
        await engine.close();
        await served.cleanup();
        throw e;
      }
      process.stdout.write(`listening on ${address.replace('[::1]', 'localhost')}\n`);
      process.stdout.write(
        `model '${engine.modelId}': open the address above for the lyrics page; stop with Ctrl-C\n`,
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          done();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await app.close();
      await engine.close();
      await served.cleanup();
      process.stderr.write('stopped\n');
    });
}
