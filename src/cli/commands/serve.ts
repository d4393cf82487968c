// certsweep serve: the dashboard and the HTTP API over a store, opened read-only.
import { parseArgs } from 'node:util';
import { WebOptionsError } from '../../errors.js';
import { Inventory } from '../../inventory/index.js';
import { DEFAULT_LISTEN, serveWeb } from '../../web/index.js';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openStorage, parseStoreUrl, redact, storeUrl } from '../store-url.js';

const USAGE = `Usage: certsweep serve [--store URL] [--listen HOST:PORT] [--token TOKEN]

Serves the dashboard and its read-only HTTP API (OpenAPI document at /api/openapi.json)
over the inventory, opened read-only, until stopped (Ctrl-C).

Options:
  --store URL         sqlite:PATH, file:DIR, postgres://… or memory: (default: $CERTSWEEP_STORE,
                      else sqlite:certsweep.db)
  --listen HOST:PORT  where to listen (default: ${DEFAULT_LISTEN}); any address but loopback
                      needs a token
  --token TOKEN       bearer token every API request must carry (default: $CERTSWEEP_TOKEN)
  -h, --help          show this help
`;

export const command: Command = {
  summary: 'serve the dashboard and the HTTP API over the inventory (read-only)',
  async main(argv, io) {
    let values: { store?: string; listen?: string; token?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
          store: { type: 'string' },
          listen: { type: 'string' },
          token: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      throw new UsageError(`${(error as Error).message}; certsweep serve --help lists the options`);
    }
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    const url = storeUrl(values.store, io);
    const spec = parseStoreUrl(url, io.cwd);
    const token = values.token ?? (io.env.CERTSWEEP_TOKEN || undefined);
    const inventory = await Inventory.open({ storage: await openStorage(spec), readOnly: true });
    try {
      let web: Awaited<ReturnType<typeof serveWeb>>;
      try {
        web = await serveWeb({
          inventory,
          listen: values.listen ?? DEFAULT_LISTEN,
          ...(token === undefined ? {} : { token }),
          env: {},
        });
      } catch (error) {
        if (error instanceof WebOptionsError) {
          const option = error.option === 'listen' ? '--listen' : '--token';
          throw new UsageError(`${option}: ${error.message.replace(/^serveWeb: /, '')}`);
        }
        throw error;
      }
      io.stderr.write(
        `certsweep serve: ${web.url} over ${redact(url)}${token === undefined ? '' : ' (bearer token required)'}; Ctrl-C stops\n`,
      );
      if (!io.signal.aborted) {
        await new Promise<void>((resolve) =>
          io.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
      await web.close();
      return EXIT.ok;
    } finally {
      await inventory.close();
    }
  },
};
