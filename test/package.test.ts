// The package as npm would publish it: `npm pack --dry-run --json` lists the bin (with its
// shebang), the entry points and the docs' targets, and nothing of the tests, benchmarks,
// sources or build state; package.json and the README point at one repository, with links
// that work on npmjs.com.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
};
const REPOSITORY = 'https://github.com/certsweep/certsweep';

interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

describe('npm pack', () => {
  let files: PackedFile[] = [];
  beforeAll(async () => {
    // The package ships dist/, which `npm run build` writes (npm ci runs it through
    // `prepare`). Scripts are not run here: the tests do not rebuild what other tests read.
    expect(
      existsSync(join(root, 'dist/index.js')),
      'dist/ is missing: run `npm run build` first',
    ).toBe(true);
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    const [packed] = JSON.parse(stdout) as { name: string; files: PackedFile[] }[];
    expect(packed?.name).toBe('certsweep');
    files = packed?.files ?? [];
  }, 120_000);

  const paths = () => new Set(files.map((f) => f.path));

  it('holds the bin, with a shebang on its first line', () => {
    expect(pkg.bin).toEqual({ certsweep: './dist/cli/main.cjs' });
    const bin = pkg.bin.certsweep?.replace(/^\.\//, '') ?? '';
    expect(paths().has(bin)).toBe(true);
    const [first] = readFileSync(join(root, bin), 'utf8').split('\n');
    expect(first).toBe('#!/usr/bin/env node');
  });

  it('holds every entry point package.json names', () => {
    const targets = [
      pkg.main,
      pkg.types,
      ...Object.values(pkg.exports).flatMap((e) =>
        typeof e === 'string' ? [e] : Object.values(e),
      ),
    ].map((p) => p.replace(/^\.\//, ''));
    expect(targets.length).toBeGreaterThan(4);
    for (const target of targets) expect(paths(), target).toContain(target);
    for (const doc of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'])
      expect(paths()).toContain(doc);
  });

  it('holds no tests, benchmarks, sources, examples or build state', () => {
    expect(files.length).toBeGreaterThan(100);
    const unwanted = files
      .map((f) => f.path)
      .filter(
        (path) =>
          /^(?:dist\/)?(?:test|bench|src|examples|docs|node_modules|\.ci)\//.test(path) ||
          /\.tsbuildinfo$/.test(path) ||
          /(?:^|\/)[^/]*\.(?:test|spec)\.[cm]?[jt]s$/.test(path) ||
          /(?:^|\/)(?:vitest\.config|tsconfig[^/]*\.json|biome\.json|typedoc\.json)/.test(path) ||
          (/\.ts$/.test(path) && !/\.d\.ts$/.test(path)),
      );
    expect(unwanted).toEqual([]);
    // Everything shipped is the build, the package's own files, or their types.
    for (const path of paths())
      expect(path).toMatch(
        /^(?:dist\/.+\.(?:js|d\.ts)|dist\/cli\/main\.cjs|dist\/web\/assets\/[^/]+\.(?:css|html)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/,
      );
  });
});

describe('package.json and README: one repository, links that work on npm', () => {
  it('names the repository, its home page and its issues consistently', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(pkg.homepage).toBe(`${REPOSITORY}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });

  it('links the docs by absolute URLs into the repository, each to a file that exists', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      // npmjs.com renders the README away from the repository: a relative link breaks there.
      expect(link, link).toMatch(/^(?:https:\/\/|#)/);
      const inRepository = link.startsWith(`${REPOSITORY}/blob/main/`);
      if (link.startsWith(REPOSITORY)) expect(inRepository, link).toBe(true);
      if (inRepository) {
        const file = link.slice(`${REPOSITORY}/blob/main/`.length).replace(/[?#].*$/, '');
        expect(existsSync(join(root, file)), `${link}: no ${file} in the repository`).toBe(true);
      }
    }
  });
});
