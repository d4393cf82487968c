// Opens the storage a command-line example names: file:DIR (the default kind) or sqlite:FILE.
import { fileStorage, type Storage, sqliteStorage } from 'certsweep';

/** `file:./inventory`, `sqlite:./inventory.db`, or a bare directory path. */
export async function openStore(spec: string): Promise<Storage> {
  const [kind, ...rest] = spec.includes(':') ? spec.split(':') : ['file', spec];
  const path = rest.join(':');
  if (!path) throw new Error(`--store "${spec}": expected file:DIR or sqlite:FILE`);
  if (kind === 'file') return fileStorage({ path });
  if (kind === 'sqlite') return sqliteStorage({ path });
  throw new Error(`--store "${spec}": unknown kind "${kind}"; expected file or sqlite`);
}
