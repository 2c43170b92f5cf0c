// `spinettai generate` samples with the library's defaults: its --help shows
// DEFAULT_SAMPLING from @spinettai/model, not a second copy. Runs dist/bin.js.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SAMPLING } from '@spinettai/model';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('spinettai generate defaults', () => {
  it('--help shows DEFAULT_SAMPLING for every sampling flag', () => {
    const r = spawnSync(process.execPath, [BIN, 'generate', '--help'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    const flags: [string, number][] = [
      ['--max-tokens <n>', DEFAULT_SAMPLING.maxNewTokens],
      ['--temperature <t>', DEFAULT_SAMPLING.temperature],
      ['--top-k <k>', DEFAULT_SAMPLING.topK],
      ['--top-p <p>', DEFAULT_SAMPLING.topP],
      ['--repetition-penalty <r>', DEFAULT_SAMPLING.repetitionPenalty],
    ];
    for (const [flag, value] of flags) {
      const at = help.indexOf(flag);
      expect(at, flag).toBeGreaterThanOrEqual(0);
      const next = help.indexOf(' --', at + flag.length);
      expect(help.slice(at, next === -1 ? undefined : next), flag).toContain(`(default: ${value})`);
    }
  });
});
