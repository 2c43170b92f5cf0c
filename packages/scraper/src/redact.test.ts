import { describe, expect, it } from 'vitest';
import { ScraperError } from './errors.js';
import { redact, redactError } from './redact.js';

const TOKEN = 'tok+en/secret value';

describe('redact', () => {
  it('masks the raw and URL-encoded token', () => {
    const text = `Bearer ${TOKEN} and ?access_token=${encodeURIComponent(TOKEN)}`;
    const out = redact(text, [TOKEN]);
    expect(out).toBe('Bearer [REDACTED] and ?access_token=[REDACTED]');
  });
  it('ignores empty secrets', () => {
    expect(redact('abc', [''])).toBe('abc');
  });
});

describe('redactError', () => {
  it('passes a clean error through unchanged', () => {
    const e = new ScraperError('nothing secret here');
    expect(redactError(e, [TOKEN])).toBe(e);
  });
  it('rebuilds an error whose message or cause holds the token', () => {
    const inner = new TypeError(`fetch failed for Authorization: Bearer ${TOKEN}`);
    const outer = new Error('request failed', { cause: inner });
    const safe = redactError(outer, [TOKEN]);
    expect(safe).not.toBe(outer);
    expect(safe.message).toBe('request failed');
    expect(safe.cause).toBeUndefined();
    const direct = redactError(inner, [TOKEN]);
    expect(direct.name).toBe('TypeError');
    expect(direct.message).toContain('[REDACTED]');
    expect(`${direct.message}${direct.stack}`).not.toContain(TOKEN);
  });
  it('wraps non-Error throws', () => {
    expect(redactError(`oops ${TOKEN}`, [TOKEN]).message).toBe('oops [REDACTED]');
  });
});
