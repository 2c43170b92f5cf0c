// Copies the built lyrics page (apps/web/dist) into dist/web, so the published CLI
// carries the page that `serve` and `export --web` use.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, '..', '..', 'web', 'dist');
const to = join(here, '..', 'dist', 'web');
if (!existsSync(join(from, 'index.html'))) {
  console.error(
    `the lyrics page is not built (${from}); run the workspace build (turbo builds @spinettai/web first)`,
  );
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
