// Node module hooks that let a child process of a test import the TypeScript sources
// directly, as vitest does: `.ts` files are transpiled (types stripped) with the
// TypeScript compiler, `./x.js` imports from a `.ts` file resolve to `./x.ts`, and
// `@spinettai/<pkg>` / `@spinettai/<pkg>/node` resolve to that package's
// src/index.ts / src/node.ts. Register with `node --import <tsRegister.mjs>`.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const PACKAGES = new URL('../../../../', import.meta.url); // …/packages/

export async function resolve(specifier, context, next) {
  const pkg = /^@spinettai\/([\w-]+)(\/node)?$/.exec(specifier);
  if (pkg !== null) {
    const url = new URL(`${pkg[1]}/src/${pkg[2] ? 'node' : 'index'}.ts`, PACKAGES);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const url = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
