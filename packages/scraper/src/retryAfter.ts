// Parse an HTTP Retry-After header (RFC 9110 §10.2.3): either delay-seconds or an
// HTTP-date. Returns the wait in milliseconds, or undefined when absent or unreadable.

/** Milliseconds to wait according to a Retry-After value; `now` is for tests. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // HTTP-dates always name a day and month
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
