// The browser contract: a page that imports the graph package, the tokenizer's
// Tokenizer and the model's generation loop and sampling bundles for the browser
// (esbuild, platform 'browser') with no errors and pulls in no Node built-in and no
// onnxruntime-node. The workspace sources are bundled, as a bundler would bundle the
// published entry points (`@spinettai/<name>` → packages/<name>/src/index.ts).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = (pkg: string) => fileURLToPath(new URL(`../packages/${pkg}/src/index.ts`, import.meta.url));

/** What the lyrics page (apps/web) imports. */
const PAGE = `
import { GraphBuilder, serializeModel } from '@spinettai/graph';
import {
  DEFAULT_SAMPLING,
  TextGenerator,
  buildKvCacheGraph,
  decodeTokens,
  fromHfConfig,
  initParams,
  resolveSampling,
  sampleNext,
  validateConfig,
} from '@spinettai/model';
import { Tokenizer } from '@spinettai/tokenizer';

export async function page(ort, files) {
  const b = new GraphBuilder('page');
  b.output(b.add(b.input('x', 'float32', [2]), b.input('y', 'float32', [2])), 'z');
  const tiny = validateConfig({ vocabSize: 16, blockSize: 8, nLayer: 1, nHead: 1, nEmbd: 8 });
  const bytes = serializeModel(b.build()).length + serializeModel(buildKvCacheGraph(tiny, initParams(tiny, 1))).length;
  const generator = await TextGenerator.create({
    ort,
    model: files.model,
    config: fromHfConfig(files.config),
    tokenizer: Tokenizer.fromStrings(files.tokenizerJson),
  });
  const s = resolveSampling({ ...DEFAULT_SAMPLING, seed: 1 });
  return { bytes, generator, decodeTokens, sampleNext, s };
}
`;

async function bundle(contents: string) {
  return build({
    stdin: { contents, loader: 'js', resolveDir: fileURLToPath(new URL('..', import.meta.url)) },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias: {
      '@spinettai/graph': src('graph'),
      '@spinettai/tokenizer': src('tokenizer'),
      '@spinettai/model': src('model'),
      '@spinettai/model/node': src('model').replace(/index\.ts$/, 'node.ts'),
    },
  }).catch((e: { errors?: { text: string; location?: { file: string } | null }[] }) => {
    // esbuild throws with every error attached; show them all, not the first one.
    const errors = (e.errors ?? []).map((m) => `${m.location?.file ?? '?'}: ${m.text}`);
    throw new Error(`${errors.length} esbuild errors:\n${errors.join('\n')}`);
  });
}

describe('browser bundle', () => {
  it('graph + Tokenizer + TextGenerator + sampling bundle for the browser with no Node code', async () => {
    const out = await bundle(PAGE);
    expect(out.errors).toEqual([]);
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((f) => /onnxruntime-node|^node:|(^|\/)(fs|path|crypto|os)$/.test(f))).toEqual([]);
    const code = out.outputFiles[0]!.text;
    const nodeOnly = `["'](node:|onnxruntime-node)`;
    expect(code).not.toMatch(new RegExp(`^\\s*(import|export)[^\\n]*from\\s*${nodeOnly}`, 'm'));
    expect(code).not.toMatch(new RegExp(`(require|import)\\(\\s*${nodeOnly}`));
    // The entry's own code is there (the bundle is not empty by tree-shaking).
    expect(code).toContain('TextGenerator');
  }, 120_000);

  it('the check fails for code that is Node-only (the test can fail)', async () => {
    await expect(
      bundle(`import { loadTextGenerator } from '@spinettai/model/node'; console.log(loadTextGenerator);`),
    ).rejects.toThrow(/esbuild errors(.|\n)*node:fs/);
  }, 120_000);
});
