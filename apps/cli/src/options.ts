// Parsers for flag values. A bad value is a usage error: commander prints the
// message with the flag's name and the CLI exits with code 2.
import { InvalidArgumentError } from 'commander';

/** An integer >= 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number >= 1, got '${value}'.`);
  return n;
}

/** An integer >= 0. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a whole number >= 0, got '${value}'.`);
  return n;
}

/** A finite number >= 0. */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number >= 0, got '${value}'.`);
  return n;
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a number > 0, got '${value}'.`);
  return n;
}

/** A fraction in [0, 1). */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) {
    throw new InvalidArgumentError(`expected a number in [0, 1), got '${value}'.`);
  }
  return n;
}

/** A number in (0, 1]. */
export function probability(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'.`);
  }
  return n;
}

/** Collects a repeatable flag into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A duration like `180`, `90s`, `5m` or `1h`, in seconds. */
export function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a duration such as 180, 90s, 5m or 1h, got '${value}'.`);
  const scale = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  const seconds = Number(m[1]) * scale;
  if (seconds <= 0) throw new InvalidArgumentError(`the duration must be > 0, got '${value}'.`);
  return seconds;
}
