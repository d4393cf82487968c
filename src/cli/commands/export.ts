import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { readCommandLine } from '../options.js';
import { writeText } from '../output.js';
import { openInventory } from '../store.js';
import { DEFAULT_STORE, redact, storeUrl } from '../store-url.js';

const USAGE = `Usage: certsweep export [--store URL] [--output FILE|-]

Writes the whole inventory as NDJSON: a header line, then one line per record
(certificates, chains, targets, sightings, runs). certsweep import reads it back.

Options:
      --store URL       the inventory: sqlite:PATH, file:DIR, postgres://…, memory:
                        (default: $CERTSWEEP_STORE, else ${DEFAULT_STORE})
  -o, --output FILE     write to FILE (complete or not at all: written under a temporary
                        name, renamed at the end); - is stdout (default: -)
  -h, --help            this text

Exit status: 0 done, 2 bad arguments, 3 the store or the file failed.
`;

const OPTIONS = {
  store: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Lines are written in chunks of about this many characters. */
const CHUNK = 64 * 1024;

export const command: Command = {
  summary: 'write the whole inventory as NDJSON (to stdout or a file)',
  async main(argv, io) {
    const line = readCommandLine(argv, io, USAGE, () =>
      parseArgs({ args: [...argv], options: OPTIONS, strict: true }),
    );
    if (line === undefined) return EXIT.ok;
    const { values } = line;
    const url = storeUrl(values.store, io);
    const inventory = await openInventory(url, io, { readOnly: true });
    let records = -1;
    const counted = async function* () {
      for await (const line of inventory.export()) {
        records++;
        yield line;
      }
    };
    try {
      const output = values.output ?? '-';
      if (output === '-') {
        let chunk = '';
        for await (const line of counted()) {
          chunk += line;
          if (chunk.length >= CHUNK) {
            await writeText(io.stdout, chunk);
            chunk = '';
          }
        }
        if (chunk !== '') await writeText(io.stdout, chunk);
        return EXIT.ok;
      }
      const path = resolve(io.cwd, output);
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await pipeline(Readable.from(counted()), createWriteStream(temporary, { flags: 'wx' }));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw new CliError(
          `cannot export to ${output}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      io.stderr.write(`exported ${records} records from ${redact(url)} to ${output}\n`);
      return EXIT.ok;
    } finally {
      await inventory.close();
    }
  },
};
