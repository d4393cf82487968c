import { parseArgs } from 'node:util';
import {
  allPages,
  Inventory,
  memoryStorage,
  type PruneResult,
  RECORD_KINDS,
  type TargetRecord,
} from '../../inventory/index.js';
import { formatTarget } from '../../targets/index.js';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseDurationOption, readCommandLine } from '../options.js';
import { writeText } from '../output.js';
import { openInventory } from '../store.js';
import { DEFAULT_STORE, redact, storeUrl } from '../store-url.js';
import { sanitize } from '../table.js';

const USAGE = `Usage: certsweep prune --older-than DURATION [--store URL] [--dry-run]

Drops the targets not scanned within DURATION, their history, the chains and certificates
only they used (trust anchors stay), and the runs that ended before then. Prints the
targets dropped and how many records of each kind went.

Options:
      --older-than DURATION  e.g. 90d, 12w, 36h (required)
      --store URL            the inventory: sqlite:PATH, file:DIR, postgres://…, memory:
                             (default: $CERTSWEEP_STORE, else ${DEFAULT_STORE})
      --dry-run              print what would go, and change nothing (the inventory is
                             read, and pruned in a copy in memory)
  -h, --help                 this text

Exit status: 0 done, 2 bad arguments, 3 the store failed.
`;

const OPTIONS = {
  'older-than': { type: 'string' },
  store: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The most dropped targets listed one by one. */
const LISTED = 50;

export const command: Command = {
  summary: 'drop targets not scanned for a while, and what only they used',
  async main(argv, io) {
    const line = readCommandLine(argv, io, USAGE, () =>
      parseArgs({ args: [...argv], options: OPTIONS, strict: true }),
    );
    if (line === undefined) return EXIT.ok;
    const { values } = line;
    const older = values['older-than'];
    if (older === undefined) throw new UsageError('--older-than is missing, e.g. --older-than 90d');
    const ms = parseDurationOption('--older-than', older);
    const cutoff = Date.now() - ms;
    const dryRun = values['dry-run'] === true;
    const url = storeUrl(values.store, io);
    const inventory = await openInventory(url, io, { readOnly: dryRun });
    let removed: PruneResult;
    const stale: TargetRecord[] = [];
    let staleCount = 0;
    try {
      for await (const target of allPages((at) => inventory.targets({ limit: 1000, ...at }))) {
        if (target.lastScanned >= cutoff) continue;
        staleCount++;
        if (stale.length < LISTED) stale.push(target);
      }
      removed = dryRun
        ? await pruneCopy(inventory, cutoff)
        : await inventory.prune({ olderThan: cutoff });
    } finally {
      await inventory.close();
    }
    const lines = stale.map((target) => {
      const where = formatTarget({
        host: target.host,
        port: target.port,
        ...(target.servername === null ? {} : { servername: target.servername }),
      });
      const zone = target.zone === 'default' ? '' : ` in zone ${target.zone}`;
      return `${dryRun ? 'would drop' : 'dropped'} ${sanitize(where)}${sanitize(zone)}, last scanned ${new Date(target.lastScanned).toISOString()}`;
    });
    if (staleCount > stale.length) lines.push(`… and ${staleCount - stale.length} more targets`);
    const each = RECORD_KINDS.map((kind) => plural(removed[kind] ?? 0, kind)).join(', ');
    lines.push(
      `${dryRun ? 'would remove' : 'removed'} from ${redact(url)} what was not scanned since ${new Date(cutoff).toISOString()}: ${each}`,
    );
    await writeText(io.stdout, `${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};

/** Prunes a copy of the inventory in memory: exactly what prune would remove, changing nothing. */
async function pruneCopy(inventory: Inventory, cutoff: number): Promise<PruneResult> {
  const copy = await Inventory.open({ storage: memoryStorage() });
  try {
    await copy.import(inventory.export());
    return await copy.prune({ olderThan: cutoff });
  } finally {
    await copy.close();
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
