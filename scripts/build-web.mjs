// Bundles the dashboard (web/) into dist/web/assets: one ES module script with Preact and
// htm inside, the style sheet and the page. Nothing is loaded from the network at run time.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web/assets');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web/src/main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(join(root, 'web/style.css'), join(out, 'app.css'));
copyFileSync(join(root, 'web/index.html'), join(out, 'index.html'));
