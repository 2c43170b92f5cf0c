// The graph package runs in a browser: its whole public entry (src/index.ts) bundles
// with esbuild for platform 'browser' with no errors and pulls in no Node built-in, no
// onnxruntime-node and no other package. A Node-only import fails the same check.

import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

async function bundle(stdin: string) {
  return build({
    stdin: { contents: stdin, loader: 'ts', resolveDir: here('.') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: here('../../..'), // metafile paths relative to the repository root
  });
}

describe('@spinettai/graph in a browser', () => {
  it('bundles the whole public API for the browser with no errors and only its own sources', async () => {
    // Re-export everything so nothing is tree-shaken away before it is checked.
    const out = await bundle(`export * from './index.ts';`);
    expect(out.errors).toEqual([]);
    expect(out.warnings).toEqual([]);
    const inputs = Object.keys(out.metafile.inputs).filter((f) => f !== '<stdin>');
    expect(inputs).toContain('packages/graph/src/autodiff/engine.ts');
    expect(inputs).toContain('packages/graph/src/ops/index.ts');
    // Only the package's own, non-test sources: no dependency, Node built-in or test helper.
    expect(
      inputs.filter((f) => !f.startsWith('packages/graph/src/') || /\.test\.ts$|test-utils/.test(f)),
    ).toEqual([]);
    const code = out.outputFiles[0]!.text;
    expect(code).toContain('buildGradientGraph');
    expect(code).not.toMatch(/["'](node:|onnxruntime-node)/);
  }, 60_000);

  it('fails for a Node-only import (the check can fail)', async () => {
    await expect(
      bundle(`export * from './index.ts'; export { readFile } from 'node:fs/promises';`),
    ).rejects.toThrow(/node:fs\/promises/);
  }, 60_000);
});
