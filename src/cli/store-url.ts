import { isAbsolute, resolve } from 'node:path';
import type { Storage } from '../inventory/storage.js';
import { UsageError } from './cli-error.js';
import type { CommandIO } from './io.js';

/** The store a command uses without `--store`: `$CERTSWEEP_STORE`, else this SQLite file. */
export const DEFAULT_STORE = 'sqlite:certsweep.db';

/** What a store URL names, before anything is opened. */
export type StoreSpec =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string }
  | { readonly kind: 'memory' };

const EXPECTED = 'expected sqlite:PATH, file:DIR, postgres://… or memory:';
const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Reads a store URL: `sqlite:PATH`, `file:DIR` (relative paths against `cwd`),
 * `postgres://…` or `postgresql://…` (`?schema=NAME` picks the schema, default `certsweep`;
 * the rest goes to `pg` as it is), `memory:`. Anything else is a `UsageError` naming `--store`.
 *
 * @example
 * ```ts
 * parseStoreUrl('sqlite:inventory.db', '/srv'); // { kind: 'sqlite', path: '/srv/inventory.db' }
 * ```
 */
export function parseStoreUrl(url: string, cwd: string): StoreSpec {
  if (/^postgres(?:ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--store "${redact(url)}" is not a valid PostgreSQL URL`);
    }
    const schema = parsed.searchParams.get('schema') ?? 'certsweep';
    if (!SCHEMA.test(schema)) {
      throw new UsageError(`--store: schema "${schema}" must be 1-63 letters, digits or _`);
    }
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: parsed.toString(), schema };
  }
  if (url === 'memory:' || url === 'memory') return { kind: 'memory' };
  const colon = url.indexOf(':');
  const kind = colon < 0 ? '' : url.slice(0, colon);
  const path = url.slice(colon + 1);
  if (kind !== 'sqlite' && kind !== 'file') {
    throw new UsageError(`--store "${redact(url)}": ${EXPECTED}`);
  }
  if (path === '') throw new UsageError(`--store "${url}" names no path; ${EXPECTED}`);
  return { kind, path: isAbsolute(path) ? path : resolve(cwd, path) };
}

/** A URL with its password replaced by `***`, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** The store URL a command uses: its `--store`, else `$CERTSWEEP_STORE`, else {@link DEFAULT_STORE}. */
export function storeUrl(option: string | undefined, io: CommandIO): string {
  return option ?? io.env.CERTSWEEP_STORE ?? DEFAULT_STORE;
}

/**
 * Opens the adapter a store URL names, loading only that adapter's module (and its driver),
 * so that a check against SQLite never loads `pg`.
 */
export async function openStorage(spec: StoreSpec): Promise<Storage> {
  switch (spec.kind) {
    case 'sqlite': {
      const { sqliteStorage } = await import('../inventory/adapters/sqlite/index.js');
      return sqliteStorage({ path: spec.path });
    }
    case 'file': {
      const { fileStorage } = await import('../inventory/adapters/file/index.js');
      return fileStorage({ path: spec.path });
    }
    case 'postgres': {
      const { postgresStorage } = await import('../inventory/adapters/postgres/index.js');
      return postgresStorage({ connectionString: spec.connectionString }, { schema: spec.schema });
    }
    case 'memory': {
      const { memoryStorage } = await import('../inventory/adapters/memory/index.js');
      return memoryStorage();
    }
  }
}
