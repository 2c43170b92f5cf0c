// One vitest run over every package. Library imports resolve to their TypeScript
// sources so tests never need a build; the CLI's end-to-end tests run the built
// binary instead.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@spinettai/graph': src('graph'),
      '@spinettai/scraper': src('scraper'),
      '@spinettai/tokenizer': src('tokenizer'),
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
