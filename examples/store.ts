// Opens the storage a command-line example names: file:DIR (the default kind) or sqlite:FILE.
import { CertsweepError, fileStorage, type Storage, sqliteStorage } from 'certsweep';

/** `file:./inventory`, `sqlite:./inventory.db`, or a bare directory path. */
export async function openStore(spec: string): Promise<Storage> {
  const [kind, ...rest] = spec.includes(':') ? spec.split(':') : ['file', spec];
  const path = rest.join(':');
  if (!path)
    throw new CertsweepError(
      `--store "${spec}": expected file:DIR or sqlite:FILE`,
      'EXAMPLE_STORE',
    );
  if (kind === 'file') return fileStorage({ path });
  if (kind === 'sqlite') return sqliteStorage({ path });
  throw new CertsweepError(
    `--store "${spec}": unknown kind "${kind}"; expected file or sqlite`,
    'EXAMPLE_STORE',
  );
}
