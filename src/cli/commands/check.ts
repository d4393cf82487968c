// `certsweep check`: the Nagios/Icinga plugin. It judges a target from the inventory the runner
// keeps (no network traffic), opening it read-only beside the runner that writes it. It loads
// what the check needs and nothing more: the monitor's two functions and the inventory from
// their own modules, and the one storage adapter the store URL names.
import { parseArgs } from 'node:util';
import { Inventory } from '../../inventory/inventory.js';
import { checkExpiry } from '../../monitor/check-expiry.js';
import { formatNagios } from '../../monitor/nagios.js';
import { parseThreshold } from '../../monitor/thresholds.js';
import type { CheckSubject } from '../../monitor/types.js';
import type { Command } from '../command.js';
import type { CommandIO } from '../io.js';
import { openStorage, parseStoreUrl, redact, storeUrl } from '../store-url.js';

const USAGE = `Usage: certsweep check (--host NAME | --ip ADDRESS) [options]

Judges a target's certificates from the inventory, as a Nagios/Icinga plugin: one line
"CERTSWEEP STATE - summary | perfdata", a detail line per target, and the exit code
0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Anything that keeps it from judging (a bad option,
a store it cannot read, no such target) is UNKNOWN, never OK. The inventory is opened
read-only: it can be read while "certsweep jobs run" writes it.

Options:
  --host NAME            the target's host or SNI name
  --ip ADDRESS           the target's IP address
  --port N               only this port (default: every port of the target)
  --sni NAME             only the target scanned with this SNI name
  --zone NAME            only the target scanned in this zone (default: every zone)
  --warning T            less time left is WARNING: 30d, 12h or a share of the
                         lifetime, 25% (default 25%)
  --critical T           less time left is CRITICAL (default 10%)
  --allow-self-signed    a lone self-signed certificate is no finding
  --store URL            sqlite:PATH, file:DIR or postgres://…?schema=NAME
                         (default $CERTSWEEP_STORE, else sqlite:certsweep.db)
  -h, --help             this text
`;

const UNKNOWN = 3;

/** The plugin's line for a failure: one line, no `|` that would start perfdata. */
function unknown(io: CommandIO, message: string): number {
  const line = message
    .replace(/[\r\n|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  io.stdout.write(`CERTSWEEP UNKNOWN - ${line}\n`);
  return UNKNOWN;
}

function options(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      ip: { type: 'string' },
      port: { type: 'string' },
      sni: { type: 'string' },
      zone: { type: 'string' },
      warning: { type: 'string', default: '25%' },
      critical: { type: 'string', default: '10%' },
      'allow-self-signed': { type: 'boolean', default: false },
      store: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

/** What the command line names, or an error message naming the option and value. */
function subjectOf(args: ReturnType<typeof options>): CheckSubject {
  if (args.host === undefined && args.ip === undefined) {
    throw new Error('--host NAME or --ip ADDRESS is required');
  }
  for (const name of ['host', 'ip', 'sni', 'zone'] as const) {
    if (args[name] === '') throw new Error(`--${name} is empty`);
  }
  let port: number | undefined;
  if (args.port !== undefined) {
    port = /^\d{1,5}$/.test(args.port) ? Number(args.port) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) throw new Error(`--port "${args.port}" must be 1-65535`);
  }
  return {
    ...(args.host !== undefined ? { host: args.host } : {}),
    ...(args.ip !== undefined ? { address: args.ip } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(args.sni !== undefined ? { servername: args.sni } : {}),
    ...(args.zone !== undefined ? { zone: args.zone } : {}),
  };
}

/** `certsweep check`. */
export const command: Command = {
  summary: 'Nagios/Icinga plugin: judge a target from the inventory (exit 0/1/2/3)',
  async main(argv, io) {
    let args: ReturnType<typeof options>;
    let subject: CheckSubject;
    const end = argv.indexOf('--');
    if ((end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')) {
      io.stdout.write(USAGE);
      return 0;
    }
    try {
      args = options(argv);
      subject = subjectOf(args);
      // Read before the store is opened: a bad threshold is the command line's fault.
      parseThreshold(args.warning, '--warning');
      parseThreshold(args.critical, '--critical');
    } catch (error) {
      // Node's parseArgs messages go on after their first sentence, which names the option.
      const message = (error as Error).message.split(/\.\s/)[0] ?? '';
      return unknown(io, `${message}; certsweep check --help lists the options`);
    }
    const url = storeUrl(args.store, io);
    let inventory: Inventory | undefined;
    try {
      const storage = await openStorage(parseStoreUrl(url, io.cwd));
      inventory = await Inventory.open({ storage, readOnly: true });
      const check = await checkExpiry(inventory, subject, {
        warning: args.warning,
        critical: args.critical,
        allowSelfSigned: args['allow-self-signed'],
      });
      const { output, exitCode } = formatNagios(check);
      io.stdout.write(`${output}\n`);
      return exitCode;
    } catch (error) {
      return unknown(io, redact(error instanceof Error ? error.message : String(error)));
    } finally {
      await inventory?.close().catch(() => undefined);
    }
  },
};
