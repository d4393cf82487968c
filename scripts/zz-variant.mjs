// Bundles `certsweep check` into one file, dist/cli/check.js, after `tsc` has built dist/.
// The plugin runs once per service and check interval, and its wall time is mostly Node's
// start and the loading of its modules: one file read, resolved and linked instead of dozens.
//
// The bundle is made from the same sources as the rest of dist/ (src/cli/check.ts and what
// it imports statically) and replaces tsc's output of that module. Packages stay outside
// (better-sqlite3, pg: the user's own installs). A dynamic import() stays one too: the code's
// own lazy loading (the writer's half of the inventory, export and import, the other stores'
// adapters) keeps loading tsc's modules beside the bundle, only when it runs. The SQLite
// adapter, which every check of the default store needs, is the one exception: bundled.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const entry = join(src, 'cli', 'check.ts');
const outfile = join(dist, 'cli', process.env.OUT);
/** The dynamic imports the bundle takes in: what a check of the default store loads. */
const BUNDLED = new Set([join(src, 'inventory', 'adapters', 'sqlite', 'index.js')]);

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
  format: process.env.FMT, minify: process.env.MIN === '1',
  target: 'node20',
  packages: 'external',
  plugins: [lazyStaysLazy],
  logLevel: 'warning',
  banner: {
    js: '// Built by scripts/build-check.mjs from src/cli/check.ts and what it imports: edit those.',
  },
});
