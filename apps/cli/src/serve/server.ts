// `spinettai serve`'s HTTP server: an OpenAI-compatible completions API over one model
// (fastify), with admission control, request limits and OpenAI-shaped errors. Every
// route answers; no request can take the process down. Generation itself is the
// engine's (see engine.ts); this file only speaks HTTP.
// Reference: OpenAI API reference — Models, Completions (legacy), streaming (SSE).

import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import {
  ApiError,
  type CompletionRequest,
  parseCompletionRequest,
  type RequestLimits,
} from './completionRequest.js';
import { Gate, GateFullError } from './gate.js';

/** One generated choice, as the engine reports it. */
export interface ChoiceResult {
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/** What one generation needs. */
export interface ChoiceJob {
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: readonly string[];
  seed: number;
}

/** The model behind the API. */
export interface CompletionEngine {
  readonly modelId: string;
  /** Unix seconds the model was made (its folder's time). */
  readonly created: number;
  /** Generates one choice, calling `onText` with each piece as it is sampled. */
  generate(job: ChoiceJob, onText: (piece: string) => void, signal: AbortSignal): Promise<ChoiceResult>;
}

/** Options of `createApiServer`. */
export interface ApiServerOptions {
  engine: CompletionEngine;
  limits: RequestLimits;
  /** Generations at once. */
  concurrency: number;
  /** Requests that may wait for a slot; beyond that, 503. */
  queue: number;
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** Extra routes (the web page), registered after the API. */
  extra?: (app: FastifyInstance) => Promise<void> | void;
}

const sendError = (reply: FastifyReply, e: ApiError, headers: Record<string, string> = {}) =>
  reply.code(e.status).headers(headers).send(e.body());

/** Builds the server (not yet listening). */
export async function createApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const { engine } = opts;
  const gate = new Gate(opts.concurrency, opts.queue);
  const app = Fastify({ bodyLimit: opts.bodyLimit, logger: false, forceCloseConnections: true });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ApiError) return sendError(reply, err);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, new ApiError(413, `the request body is larger than ${opts.bodyLimit} bytes`));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return sendError(reply, new ApiError(err.statusCode, `bad request: ${err.message}`));
    return sendError(reply, new ApiError(500, 'internal server error', null, 'server_error'));
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(
      reply,
      new ApiError(
        404,
        `no route ${req.method} ${req.url.split('?')[0]}`,
        null,
        'invalid_request_error',
        'not_found',
      ),
    ),
  );

  const modelCard = () => ({
    id: engine.modelId,
    object: 'model',
    created: engine.created,
    owned_by: 'spinettai',
  });
  app.get('/v1/models', async () => ({ object: 'list', data: [modelCard()] }));
  app.get<{ Params: { id: string } }>('/v1/models/:id', async (req, reply) => {
    if (req.params.id !== engine.modelId)
      return sendError(
        reply,
        new ApiError(
          404,
          `The model '${req.params.id}' does not exist`,
          'model',
          'invalid_request_error',
          'model_not_found',
        ),
      );
    return modelCard();
  });
  app.post('/v1/chat/completions', async (_req, reply) =>
    sendError(
      reply,
      new ApiError(
        404,
        'This is not a chat model: it continues text. Use POST /v1/completions with a prompt.',
        null,
        'invalid_request_error',
        'unsupported_endpoint',
      ),
    ),
  );
  app.post('/v1/completions', async (req, reply) => {
    const r = parseCompletionRequest(req.body, opts.limits);
    if (r.model !== engine.modelId)
      throw new ApiError(
        404,
        `The model '${r.model}' does not exist; this server has '${engine.modelId}'`,
        'model',
        'invalid_request_error',
        'model_not_found',
      );
    const abort = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client disconnected'));
    });
    let release: () => void;
    try {
      release = await gate.enter(abort.signal);
    } catch (e) {
      if (e instanceof GateFullError)
        return sendError(
          reply,
          new ApiError(503, 'The server is busy; retry after a moment.', null, 'server_error', 'overloaded'),
          {
            'retry-after': '1',
          },
        );
      return reply; // the client left while waiting
    }
    try {
      return r.stream
        ? await streamCompletion(reply, r, engine, abort.signal)
        : await wholeCompletion(r, engine, abort.signal);
    } finally {
      release();
    }
  });
  await opts.extra?.(app);
  return app;
}

const completionId = () => `cmpl-${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/** The jobs of a request: n choices per prompt, seeds seed, seed+1, … (random when unset). */
function jobs(r: CompletionRequest): { job: ChoiceJob; promptIndex: number }[] {
  const base = r.seed ?? Math.floor(Math.random() * 2 ** 31);
  const out: { job: ChoiceJob; promptIndex: number }[] = [];
  r.prompts.forEach((prompt, promptIndex) => {
    for (let j = 0; j < r.n; j++)
      out.push({
        promptIndex,
        job: {
          prompt,
          maxTokens: r.maxTokens,
          temperature: r.temperature,
          topP: r.topP,
          topK: r.topK,
          stop: r.stop,
          seed: base + out.length,
        },
      });
  });
  return out;
}

async function wholeCompletion(r: CompletionRequest, engine: CompletionEngine, signal: AbortSignal) {
  const choices = [];
  const promptTokens = new Map<number, number>();
  let completionTokens = 0;
  for (const [index, { job, promptIndex }] of jobs(r).entries()) {
    let text = r.echo ? job.prompt : '';
    const res = await engine.generate(job, (piece) => (text += piece), signal);
    promptTokens.set(promptIndex, res.promptTokens);
    completionTokens += res.completionTokens;
    choices.push({ text, index, logprobs: null, finish_reason: res.finishReason });
  }
  const prompt = [...promptTokens.values()].reduce((a, b) => a + b, 0);
  return {
    id: completionId(),
    object: 'text_completion',
    created: now(),
    model: engine.modelId,
    choices,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completionTokens,
      total_tokens: prompt + completionTokens,
    },
  };
}

async function streamCompletion(
  reply: FastifyReply,
  r: CompletionRequest,
  engine: CompletionEngine,
  signal: AbortSignal,
) {
  const id = completionId();
  const created = now();
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (data: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  const chunk = (index: number, text: string, finish: string | null) => ({
    id,
    object: 'text_completion',
    created,
    model: engine.modelId,
    choices: [{ text, index, logprobs: null, finish_reason: finish }],
  });
  const promptTokens = new Map<number, number>();
  let completionTokens = 0;
  try {
    for (const [index, { job, promptIndex }] of jobs(r).entries()) {
      if (r.echo) send(chunk(index, job.prompt, null));
      const out = await engine.generate(job, (piece) => send(chunk(index, piece, null)), signal);
      promptTokens.set(promptIndex, out.promptTokens);
      completionTokens += out.completionTokens;
      if (signal.aborted) break;
      send(chunk(index, '', out.finishReason));
    }
    if (!signal.aborted) {
      if (r.includeUsage) {
        const prompt = [...promptTokens.values()].reduce((a, b) => a + b, 0);
        send({
          id,
          object: 'text_completion',
          created,
          model: engine.modelId,
          choices: [],
          usage: {
            prompt_tokens: prompt,
            completion_tokens: completionTokens,
            total_tokens: prompt + completionTokens,
          },
        });
      }
      res.write('data: [DONE]\n\n');
    }
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'generation failed', null, 'server_error');
    send(err.body());
  } finally {
    res.end();
  }
}
