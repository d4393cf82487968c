// A farm of hostile servers of every kind at once, for load tests: each kind on its own
// loopback addresses, reachable with `starttls: 'auto'`.
import {
  drip,
  firehose,
  type Placement,
  type Running,
  serverHello,
  silent,
  tlsFlight,
} from './farm.js';

/** One kind of hostile server of {@link startHostileFarm}. */
interface HostileKind {
  /** What it does, for messages. */
  readonly name: string;
  /** A fixed port (a STARTTLS port for `starttls: 'auto'`); default: one free port per kind. */
  readonly port?: number;
  start(placement: Placement): Promise<Running>;
}

/** Hostile servers of every kind that costs a scanner memory or time, for load tests. */
function hostileKinds(): HostileKind[] {
  const u24 = (n: number) => Buffer.of((n >> 16) & 255, (n >> 8) & 255, n & 255);
  const serverHelloOnly = serverHello();
  return [
    {
      name: 'byte firehose',
      start: (placement) => firehose('', 'garbage bytes, not TLS ', { ...placement, when: 'data' }),
    },
    {
      name: 'a 16 MiB certificate, then endless bytes',
      start: (placement) =>
        tlsFlight(Buffer.concat([serverHelloOnly, Buffer.of(11), u24(0xffffff), u24(0xfffffc)]), {
          ...placement,
          after: 'firehose',
        }),
    },
    {
      name: 'a certificate list longer than its message, then endless bytes',
      start: (placement) =>
        // A 16-byte message whose list claims 16 MiB, its first certificate 1,000 bytes.
        tlsFlight(
          Buffer.concat([serverHelloOnly, Buffer.of(11), u24(16), u24(0xffff00), u24(1000)]),
          {
            ...placement,
            after: 'firehose',
          },
        ),
    },
    {
      name: 'endless XMPP features (continuation without end)',
      port: 5222,
      start: (placement) =>
        firehose(
          "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:features>",
          '<mechanism>PLAIN</mechanism>',
          { ...placement, when: 'data' },
        ),
    },
    {
      name: 'PostgreSQL yes, then endless handshake bytes',
      port: 5432,
      start: (placement) => firehose('S', Buffer.alloc(4096, 0x16), { ...placement, when: 'data' }),
    },
    { name: 'slow drip', start: (placement) => drip(placement) },
    { name: 'silent', start: (placement) => silent(placement) },
  ];
}

/**
 * `perKind` servers of every {@link hostileKinds} kind, each on its own address
 * `prefix.<kind>.<n>`, and the targets that reach them (with `starttls: 'auto'`).
 */
export async function startHostileFarm(
  prefix: string,
  perKind: number,
): Promise<{ targets: { host: string; port: number; kind: string }[]; close(): Promise<void> }> {
  const running: Running[] = [];
  const targets: { host: string; port: number; kind: string }[] = [];
  const close = async () => void (await Promise.all(running.map((s) => s.close())));
  try {
    for (const [index, kind] of hostileKinds().entries()) {
      let port = kind.port ?? 0;
      for (let n = 1; n <= perKind; n++) {
        const server = await kind.start({ host: `${prefix}.${index + 1}.${n}`, port });
        running.push(server);
        port = server.port;
        targets.push({ host: server.host, port: server.port, kind: kind.name });
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { targets, close };
}
