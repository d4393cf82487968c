// Opens the storage a command-line example names: file:DIR (the default kind), sqlite:FILE, or
// a PostgreSQL URL (postgres://… or postgresql://…) with the inventory in one schema.
import { fileStorage, postgresStorage, type Storage, sqliteStorage } from 'certsweep';

/** How {@link openStore} opens a store beyond what its spec says. */
export interface StoreOptions {
  /** PostgreSQL schema the inventory lives in. Default: `certsweep`. */
  readonly schema?: string;
}

/**
 * `file:./inventory`, `sqlite:./inventory.db`, `postgres://user@host/db`, or a bare directory
 * path (a file store).
 */
export function openStore(spec: string, options: StoreOptions = {}): Storage {
  if (/^postgres(?:ql)?:\/\//.test(spec)) {
    return postgresStorage({ connectionString: spec }, { schema: options.schema ?? 'certsweep' });
  }
  const [kind, ...rest] = spec.includes(':') ? spec.split(':') : ['file', spec];
  const path = rest.join(':');
  if (!path) {
    throw new Error(`--store "${spec}": expected file:DIR, sqlite:FILE or postgres://…`);
  }
  if (kind === 'file') return fileStorage({ path });
  if (kind === 'sqlite') return sqliteStorage({ path });
  throw new Error(
    `--store "${spec}": unknown kind "${kind}"; expected file:DIR, sqlite:FILE or postgres://…`,
  );
}
