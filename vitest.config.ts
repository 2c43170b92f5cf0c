// One vitest run over every package. Library imports resolve to their TypeScript
// sources so tests never need a build; the CLI's end-to-end tests run the built
// binary instead.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@spinettai/graph': src('graph'),
      '@spinettai/scraper/testing': src('scraper', 'testing'),
      '@spinettai/scraper': src('scraper'),
      '@spinettai/tokenizer/node': src('tokenizer', 'node'),
      '@spinettai/tokenizer': src('tokenizer'),
      '@spinettai/model/node': src('model', 'node'),
      '@spinettai/model': src('model'),
      '@spinettai/trainer': src('trainer'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
