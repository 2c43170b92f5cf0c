// Generation option types accept `undefined`, so a caller compiled with
// `exactOptionalPropertyTypes` can forward possibly-undefined values (CLI flags, URL
// parameters) without spreading conditionally. Type-checks a user's snippet with tsc
// under that flag and reports the snippet's own errors only.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('../..', import.meta.url));
const tag = `exact-optional-${process.pid}`;
const snippet = join(pkgDir, 'src', 'generate', `${tag}.ts`);
const tsconfig = join(pkgDir, `${tag}.tsconfig.json`);

afterAll(() => {
  rmSync(snippet, { force: true });
  rmSync(tsconfig, { force: true });
});

const USER_CODE = `
import type { GenerateIdsOptions, GenerateOptions, SamplingOptions } from '../index.js';
import type { StreamIdsOptions, TextGeneratorOptions } from './textGenerator.js';
import type { LoadTextGeneratorOptions } from './loadTextGenerator.js';
import type { BenchGenerateOptions } from './bench.js';
import type { ExportOnnxOptions } from '../export/exportOnnx.js';

declare const n: number | undefined;
declare const b: boolean | undefined;
declare const s: readonly string[] | undefined;
declare const signal: AbortSignal | undefined;
export const sampling: SamplingOptions = { temperature: n, topK: n, topP: n, repetitionPenalty: n, seed: n };
export const ids: GenerateIdsOptions = { ...sampling, maxNewTokens: n, stopTokenIds: undefined, signal };
export const stream: StreamIdsOptions = { ...ids, kvCache: b };
export const text: GenerateOptions = { ...sampling, maxNewTokens: n, stop: s, stopAtEos: b, onToken: undefined, signal };
export const create: Partial<TextGeneratorOptions> = { tokenizer: undefined, eosTokenId: n, threads: n };
export const load: LoadTextGeneratorOptions = { ort: undefined, tokenizer: undefined, threads: n };
export const bench: BenchGenerateOptions = { promptTokens: n, newTokens: n, kvCache: b, threads: n, runs: n, seed: n };
export const exp: ExportOnnxOptions = { externalData: b };
`;

describe('option types under exactOptionalPropertyTypes', () => {
  it('accept undefined for every optional generation option', () => {
    writeFileSync(snippet, USER_CODE);
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { exactOptionalPropertyTypes: true, noEmit: true },
        include: [`src/generate/${tag}.ts`],
      }),
    );
    let out = '';
    try {
      execFileSync(
        process.execPath,
        [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', tsconfig],
        {
          cwd: pkgDir,
          encoding: 'utf8',
        },
      );
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? String(e);
    }
    // Other files may not be written for the flag; only the user's snippet matters here.
    const mine = out.split('\n').filter((l) => l.includes(`${tag}.ts`));
    expect(mine).toEqual([]);
  }, 120_000);
});
