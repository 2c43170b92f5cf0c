// Keep the Genius access token out of every message, log line and file.
// Library errors (fetch, undici) can carry request details in their message or
// cause chain, so errors are rebuilt from redacted text rather than passed on.
import { ScraperError } from './errors.js';

const MASK = '[REDACTED]';

/** Replace every occurrence of each secret (and its URL-encoded form) with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(MASK);
  }
  return out;
}

/**
 * Return an error safe to show: the same object when neither it nor its causes mention a
 * secret, otherwise a ScraperError of the same name carrying redacted message and stack.
 */
export function redactError(error: unknown, secrets: readonly string[]): Error {
  const err = error instanceof Error ? error : new ScraperError(String(error));
  if (!mentionsSecret(err, secrets)) return err;
  const safe = new ScraperError(redact(err.message, secrets));
  safe.name = err.name;
  safe.stack = redact(err.stack ?? '', secrets);
  return safe;
}

function mentionsSecret(error: Error, secrets: readonly string[]): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const text =
      current instanceof Error
        ? `${current.message}\n${current.stack ?? ''}\n${safeJson(current)}`
        : safeJson(current);
    if (redact(text, secrets) !== text) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
