// The README's training example is packages/graph/examples/train-mlp.mjs, character
// for character, and running it trains: the loss it prints falls from chance level to
// near zero. The README's list of differentiable ops is supportedGradientOps().

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { supportedGradientOps } from './ops/index.js';

const file = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const readme = file('../README.md');

describe('README', () => {
  it('shows examples/train-mlp.mjs exactly', () => {
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toBe(file('../examples/train-mlp.mjs'));
  });

  it('lists exactly the differentiable ops', () => {
    const list = /<!-- gradient-ops -->\n([\s\S]*?)\n<!-- \/gradient-ops -->/.exec(readme)?.[1];
    expect(list?.split(/,\s*/)).toEqual(supportedGradientOps());
  });

  it('runs the example, and its loss falls from chance level to near zero', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.join(' '));
    });
    try {
      const example = '../examples/train-mlp.mjs'; // a plain script: no types to check
      await import(/* @vite-ignore */ example);
    } finally {
      log.mockRestore();
    }
    const losses = lines.map((l) => {
      const m = /^step (\d+): loss (\d+\.\d+)$/.exec(l);
      expect(m, l).not.toBeNull();
      return [Number(m![1]), Number(m![2])] as const;
    });
    expect(losses.map(([step]) => step)).toEqual([1, 50, 100, 150, 200]);
    // Two balanced classes: cross-entropy of a guess is ln 2 ≈ 0.69; random weights do worse.
    expect(losses[0]![1]).toBeGreaterThan(0.69);
    for (let i = 1; i < losses.length; i++) expect(losses[i]![1]).toBeLessThan(losses[i - 1]![1]);
    expect(losses.at(-1)![1]).toBeLessThan(0.05);
    // The README quotes this run's output.
    for (const l of lines) expect(readme).toContain(l);
  }, 60_000);
});
