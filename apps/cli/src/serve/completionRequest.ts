// The body of POST /v1/completions, checked field by field as OpenAI's API checks it:
// every mistake is a 400 whose error names the parameter. `top_k` is our extension.
// Reference: OpenAI API reference, "Completions" (legacy) — create completion.

/** An OpenAI-shaped request error: the HTTP status and `{error: {message, type, param, code}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** The JSON body OpenAI sends for an error. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A validated completion request with OpenAI's defaults filled in. */
export interface CompletionRequest {
  model: string;
  prompts: string[];
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  n: number;
  stop: string[];
  seed: number | undefined;
  stream: boolean;
  includeUsage: boolean;
  echo: boolean;
}

const KNOWN = new Set([
  'model',
  'prompt',
  'max_tokens',
  'temperature',
  'top_p',
  'top_k',
  'n',
  'stop',
  'seed',
  'stream',
  'stream_options',
  'echo',
  'user',
  'logprobs',
  'presence_penalty',
  'frequency_penalty',
  'best_of',
  'logit_bias',
  'suffix',
]);

const bad = (param: string, message: string): ApiError => new ApiError(400, message, param);

function number(body: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const v = body[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(key, `'${key}' must be a number`);
  if (v < min || v > max)
    throw bad(key, `${v} is not valid for '${key}': it must be between ${min} and ${max}`);
  return v;
}

function integer(body: Record<string, unknown>, key: string, dflt: number, min: number, max: number): number {
  const v = number(body, key, dflt, min, max);
  if (!Number.isInteger(v)) throw bad(key, `'${key}' must be an integer`);
  return v;
}

/** Limits the server enforces beyond OpenAI's own. */
export interface RequestLimits {
  /** Largest `max_tokens` accepted. */
  maxTokens: number;
  /** Largest `n` × number of prompts. */
  maxChoices: number;
}

/** Checks a parsed JSON body; throws ApiError(400) naming the first bad parameter. */
export function parseCompletionRequest(body: unknown, limits: RequestLimits): CompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!KNOWN.has(k)) throw bad(k, `Unrecognized request argument supplied: ${k}`);
  for (const k of ['logprobs', 'best_of', 'suffix', 'logit_bias'])
    if (b[k] !== undefined && b[k] !== null) throw bad(k, `'${k}' is not supported by this server`);
  for (const k of ['presence_penalty', 'frequency_penalty'])
    if (b[k] !== undefined && b[k] !== null && b[k] !== 0)
      throw bad(k, `'${k}' is not supported by this server (only 0)`);
  if (typeof b['model'] !== 'string' || b['model'] === '')
    throw bad('model', "'model' is required (see GET /v1/models)");
  const p = b['prompt'] ?? '';
  let prompts: string[];
  if (typeof p === 'string') prompts = [p];
  else if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'string')) prompts = p as string[];
  else throw bad('prompt', "'prompt' must be a string or a non-empty array of strings");
  const maxTokens = integer(b, 'max_tokens', 16, 0, limits.maxTokens);
  const temperature = number(b, 'temperature', 1, 0, 2);
  const topP = number(b, 'top_p', 1, 0, 1);
  if (topP === 0) throw bad('top_p', "'top_p' must be greater than 0");
  const topK = integer(b, 'top_k', 0, 0, 1_000_000);
  const n = integer(b, 'n', 1, 1, 128);
  if (n * prompts.length > limits.maxChoices)
    throw bad(
      'n',
      `n × prompts = ${n * prompts.length} choices; this server allows at most ${limits.maxChoices}`,
    );
  const s = b['stop'];
  let stop: string[] = [];
  if (typeof s === 'string') stop = [s];
  else if (Array.isArray(s) && s.length <= 4 && s.every((x) => typeof x === 'string')) stop = s as string[];
  else if (s !== undefined && s !== null)
    throw bad('stop', "'stop' must be a string or an array of up to 4 strings");
  if (stop.some((x) => x === '')) throw bad('stop', "'stop' strings must not be empty");
  const seed = b['seed'];
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isSafeInteger(seed)))
    throw bad('seed', "'seed' must be an integer");
  const stream = b['stream'] ?? false;
  if (typeof stream !== 'boolean') throw bad('stream', "'stream' must be a boolean");
  const so = b['stream_options'];
  let includeUsage = false;
  if (so !== undefined && so !== null) {
    if (!stream) throw bad('stream_options', "'stream_options' is only allowed when 'stream' is true");
    if (typeof so !== 'object' || Array.isArray(so))
      throw bad('stream_options', "'stream_options' must be an object");
    includeUsage = (so as Record<string, unknown>)['include_usage'] === true;
  }
  const echo = b['echo'] ?? false;
  if (typeof echo !== 'boolean') throw bad('echo', "'echo' must be a boolean");
  return {
    model: b['model'],
    prompts,
    maxTokens,
    temperature,
    topP,
    topK,
    n,
    stop,
    seed: typeof seed === 'number' ? seed : undefined,
    stream,
    includeUsage,
    echo,
  };
}
