// The built package loads from CommonJS: `require('@spinettai/trainer')` works on Node ≥ 20.19
// (require(esm)) only if no module in its import graph has a top-level await, which
// vega-canvas has; so the plotting libraries must load lazily, inside lossCurveSvg.
// Runs the built dist/index.js (build first: pnpm turbo run build --filter=@spinettai/trainer...).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('require() from CommonJS', () => {
  it('loads the built package and its train function', () => {
    expect(existsSync(distIndex), `build the trainer first (${distIndex})`).toBe(true);
    const script = `
      const trainer = require(${JSON.stringify(distIndex)});
      process.stdout.write(JSON.stringify({ train: typeof trainer.train, plot: typeof trainer.lossCurveSvg }));
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/ERR_REQUIRE_ASYNC_MODULE/);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ train: 'function', plot: 'function' });
  });
});
