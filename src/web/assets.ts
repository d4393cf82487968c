// The page's files, bundled at build time into dist/web/assets and read once into memory:
// only those files are ever served, by exact name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** One file of the page. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * Where the bundled page is: beside this module once built (dist/web/assets), or in dist/
 * when this module runs from its source (tests).
 */
export function defaultAssetDirectory(): string {
  const built = fileURLToPath(new URL('./assets/', import.meta.url));
  if (existsSync(join(built, 'index.html'))) return built;
  return fileURLToPath(new URL('../../dist/web/assets/', import.meta.url));
}

/** The files of `directory` by name; empty when it does not exist (the page was not built). */
export function loadAssets(directory: string): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(directory)) return assets;
  for (const name of readdirSync(directory)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    assets.set(name, { body: readFileSync(join(directory, name)), type });
  }
  return assets;
}
