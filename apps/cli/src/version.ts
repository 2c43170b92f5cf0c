// The package version, read from package.json at run time so it never drifts.
import { readFileSync } from 'node:fs';

/** Version of the spinettai CLI. */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
