// A Nagios/Icinga plugin that judges a target's certificates from the inventory the runner keeps
// (no network traffic at check time). It opens the inventory read-only: no lock, no writes,
// nothing replayed, so it runs beside the runner that writes. The inventory finds the target
// with its indexes, whatever its size. Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
// The installed command `certsweep check` is this plugin, ready for Icinga 2 and Nagios.
//
//   npx tsx examples/check.ts --store sqlite:./inventory.db --host www.example.com --port 443
//   npx tsx examples/check.ts --ip 192.0.2.10 --warning 30d --critical 7d --allow-self-signed
//   npx tsx examples/check.ts --store postgres://scanner@db/certsweep --ip 10.0.0.5 --zone dc1
import { parseArgs } from 'node:util';
import { type CheckSubject, checkExpiry, formatNagios, Inventory } from 'certsweep';
import { openStore } from './store.js';

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      host: { type: 'string' },
      ip: { type: 'string' },
      port: { type: 'string' },
      sni: { type: 'string' },
      zone: { type: 'string' },
      warning: { type: 'string', default: '25%' },
      critical: { type: 'string', default: '10%' },
      'allow-self-signed': { type: 'boolean', default: false },
      store: { type: 'string', default: 'file:./certsweep-inventory' },
      schema: { type: 'string', default: 'certsweep' },
    },
  }).values;
}

try {
  args = parse();
  if (!args.host && !args.ip) throw new Error('--host or --ip is required');
  const port = args.port === undefined ? undefined : Number(args.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new Error(`--port "${args.port}" must be 1-65535`);
  }
  const subject: CheckSubject = {
    ...(args.host ? { host: args.host } : {}),
    ...(args.ip ? { address: args.ip } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(args.sni ? { servername: args.sni } : {}),
    ...(args.zone ? { zone: args.zone } : {}),
  };
  const storage = openStore(args.store, { schema: args.schema });
  const inventory = await Inventory.open({ storage, readOnly: true });
  try {
    const check = await checkExpiry(inventory, subject, {
      warning: args.warning,
      critical: args.critical,
      allowSelfSigned: args['allow-self-signed'],
    });
    const { output, exitCode } = formatNagios(check);
    console.log(output);
    process.exitCode = exitCode;
  } finally {
    await inventory.close();
  }
} catch (error) {
  // A plugin that cannot judge says UNKNOWN, never OK.
  console.log(`CERTSWEEP UNKNOWN - ${(error as Error).message.replace(/[\r\n|]+/g, ' ')}`);
  process.exitCode = 3;
}
