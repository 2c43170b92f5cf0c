// The page's settings from its URL (the testability contract: prompt, temperature,
// top_k, top_p, max_tokens, seed, artist, dtype, autorun) with the library's defaults.

import { DEFAULT_SAMPLING } from '@spinettai/model';
import type { Settings } from './protocol.js';

/** Defaults of the page's controls: the library's sampling defaults. */
export const DEFAULT_SETTINGS: Omit<Settings, 'seed'> = {
  prompt: '',
  temperature: DEFAULT_SAMPLING.temperature,
  topK: DEFAULT_SAMPLING.topK,
  topP: DEFAULT_SAMPLING.topP,
  maxTokens: 200,
  artist: '',
  dtype: 'fp32',
};

function num(p: URLSearchParams, key: string, dflt: number, ok: (n: number) => boolean): number {
  const v = p.get(key);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`URL parameter ${key}=${v} is out of range`);
  return n;
}

/** Settings from a query string; throws with the parameter's name on a bad value. */
export function settingsFromQuery(search: string): { settings: Settings; autorun: boolean } {
  const p = new URLSearchParams(search);
  const settings: Settings = {
    prompt: p.get('prompt') ?? DEFAULT_SETTINGS.prompt,
    temperature: num(p, 'temperature', DEFAULT_SETTINGS.temperature, (n) => n >= 0 && n <= 5),
    topK: num(p, 'top_k', DEFAULT_SETTINGS.topK, (n) => Number.isInteger(n) && n >= 0),
    topP: num(p, 'top_p', DEFAULT_SETTINGS.topP, (n) => n > 0 && n <= 1),
    maxTokens: num(
      p,
      'max_tokens',
      DEFAULT_SETTINGS.maxTokens,
      (n) => Number.isInteger(n) && n >= 1 && n <= 4096,
    ),
    seed: num(p, 'seed', Math.floor(Math.random() * 2 ** 31), (n) => Number.isInteger(n) && n >= 0),
    artist: p.get('artist') ?? DEFAULT_SETTINGS.artist,
    dtype: p.get('dtype') ?? DEFAULT_SETTINGS.dtype,
  };
  const copy = p.get('max_copy_words');
  if (copy !== null && copy !== '')
    settings.maxCopyWords = num(p, 'max_copy_words', 0, (n) => Number.isInteger(n) && n >= 0);
  if (!['fp32', 'q8', 'q4', 'fp16'].includes(settings.dtype))
    throw new Error(`URL parameter dtype=${settings.dtype}: use fp32, q8, q4 or fp16`);
  return { settings, autorun: p.get('autorun') === '1' };
}
