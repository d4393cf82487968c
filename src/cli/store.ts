import { Inventory } from '../inventory/index.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import type { CommandIO } from './io.js';
import { openStorage, parseStoreUrl, redact } from './store-url.js';

/**
 * Opens the inventory a store URL names (see `parseStoreUrl`); a malformed URL is a
 * `UsageError`, a store that cannot be opened a `CliError` (exit 3) naming it.
 *
 * @example
 * ```ts
 * const inventory = await openInventory(storeUrl(values.store, io), io);
 * ```
 */
export async function openInventory(
  url: string,
  io: Pick<CommandIO, 'cwd'>,
  options: { readOnly?: boolean } = {},
): Promise<Inventory> {
  const spec = parseStoreUrl(url, io.cwd);
  try {
    const storage = await openStorage(spec);
    return await Inventory.open({ storage, readOnly: options.readOnly ?? false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot open the store ${redact(url)}: ${message}`, EXIT.failure);
  }
}
