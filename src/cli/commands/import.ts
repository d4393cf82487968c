import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StorageFormatError } from '../../errors.js';
import { RECORD_KINDS } from '../../inventory/index.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { readCommandLine } from '../options.js';
import { openInventory } from '../store.js';
import { DEFAULT_STORE, redact, storeUrl } from '../store-url.js';

const USAGE = `Usage: certsweep import [--store URL] [FILE|-]

Loads an export of certsweep export into the inventory, replacing records with the same
keys. All or nothing: a bad line fails the import, naming the line, before anything is
kept.

Arguments:
  FILE                  the NDJSON export; - is stdin (default: -)

Options:
      --store URL       the inventory: sqlite:PATH, file:DIR, postgres://…, memory:
                        (default: $CERTSWEEP_STORE, else ${DEFAULT_STORE})
  -h, --help            this text

Exit status: 0 done, 2 bad arguments or a missing FILE, 3 a bad line or the store failed.
`;

const OPTIONS = {
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: Command = {
  summary: 'load an NDJSON export into the inventory (from stdin or a file)',
  async main(argv, io) {
    const line = readCommandLine(argv, io, USAGE, () =>
      parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true }),
    );
    if (line === undefined) return EXIT.ok;
    const { values, positionals } = line;
    if (positionals.length > 1) {
      throw new UsageError(`one FILE at a time, got ${positionals.length}`);
    }
    const input = positionals[0] ?? '-';
    const path = input === '-' ? undefined : resolve(io.cwd, input);
    if (path !== undefined && !(await stat(path).catch(() => undefined))?.isFile()) {
      throw new UsageError(`"${input}": no such file`);
    }
    const url = storeUrl(values.store, io);
    const inventory = await openInventory(url, io);
    const source = path === undefined ? io.stdin : createReadStream(path);
    const shown = path === undefined ? 'stdin' : input;
    let counts: Record<string, number>;
    try {
      counts = await inventory.import(source);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CliError(
        error instanceof StorageFormatError
          ? `${shown}: ${message}; nothing was imported`
          : `cannot import ${shown} into ${redact(url)}: ${message}`,
      );
    } finally {
      await inventory.close();
    }
    const total = RECORD_KINDS.reduce((sum, kind) => sum + (counts[kind] ?? 0), 0);
    const each = RECORD_KINDS.map((kind) => plural(counts[kind] ?? 0, kind)).join(', ');
    io.stdout.write(`imported ${total} records (${each}) into ${redact(url)}\n`);
    return EXIT.ok;
  },
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
