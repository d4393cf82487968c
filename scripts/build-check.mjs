// Bundles the bin with `certsweep check` into one CommonJS file, dist/cli/main.cjs, after `tsc`
// has built dist/. The plugin runs once per service and check interval, and its wall time is
// mostly Node's start and the loading of its modules: one file read instead of dozens, and no
// ES module loader started (CommonJS all the way to better-sqlite3, itself CommonJS).
//
// The bundle is made from the same sources as the rest of dist/ (src/cli/main.ts, the check it
// imports lazily and what that imports statically); tsc's modules stay beside it for every
// other command and for the library. Packages stay outside (better-sqlite3, pg: the user's own
// installs). A dynamic import() stays one too: the other commands, and the code's own lazy
// loading (the writer's half of the inventory, export and import, the other stores' adapters)
// load tsc's modules beside the bundle, only when they run. The check itself and the SQLite
// adapter, which every check of the default store needs, are the exceptions: bundled.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const entry = join(src, 'cli', 'main.ts');
const outfile = join(dist, 'cli', 'main.cjs');
/** The dynamic imports the bundle takes in: the check, and the SQLite adapter it opens. */
const BUNDLED = new Set([
  join(src, 'cli', 'check.js'),
  join(src, 'inventory', 'adapters', 'sqlite', 'index.js'),
]);

/** Keeps a relative dynamic import lazy: pointed at tsc's module in dist/, from the bundle. */
const lazyStaysLazy = {
  name: 'lazy-stays-lazy',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const target = resolve(args.resolveDir, args.path);
      if (BUNDLED.has(target)) return undefined;
      if (!target.startsWith(src + sep)) {
        return {
          errors: [{ text: `${args.path} is outside src/; the bundle cannot point at it` }],
        };
      }
      const built = join(dist, relative(src, target));
      if (!existsSync(built)) {
        return {
          errors: [{ text: `${relative(root, built)} is missing: tsc builds dist/ first` }],
        };
      }
      const path = relative(dirname(outfile), built).split(sep).join('/');
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // A module's own URL, for the code that finds files beside it (the SQLite adapter's driver).
  define: { 'import.meta.url': 'importMetaUrl' },
  target: 'node20',
  packages: 'external',
  plugins: [lazyStaysLazy],
  logLevel: 'warning',
  banner: {
    js: [
      '// Built by scripts/build-check.mjs from src/cli/main.ts and what it imports: edit those.',
      "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    ].join('\n'),
  },
});
