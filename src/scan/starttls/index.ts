import type { Socket } from 'node:net';
import type { Deadline } from '../deadline.js';
import type { StarttlsProtocol } from '../types.js';
import { Conversation } from './conversation.js';
import { ftp } from './ftp.js';
import { imap } from './imap.js';
import { ldap } from './ldap.js';
import { pop3 } from './pop3.js';
import { postgres } from './postgres.js';
import { smtp } from './smtp.js';
import { xmpp } from './xmpp.js';

/** What a STARTTLS exchange needs to know beyond the socket. */
export interface UpgradeContext {
  /** Name for SMTP EHLO. */
  ehloName: string;
  /** Domain for the XMPP stream header: the SNI name, else the host. */
  domain: string;
}

/** One STARTTLS protocol: its well-known plain-text ports and the exchange that upgrades. */
interface StarttlsModule {
  readonly ports: readonly number[];
  upgrade(conversation: Conversation, context: UpgradeContext): Promise<void>;
}

/**
 * Every STARTTLS protocol the scanner speaks. Implicit-TLS ports (465, 993, 995, 636) are
 * absent: they get TLS straight away. Every exchange runs in a {@link Conversation}, which
 * bounds what any of them may read.
 */
const PROTOCOLS: Readonly<Record<StarttlsProtocol, StarttlsModule>> = {
  smtp: { ports: [25, 587], upgrade: (c, context) => smtp(c, context.ehloName) },
  imap: { ports: [143], upgrade: imap },
  pop3: { ports: [110], upgrade: pop3 },
  ftp: { ports: [21], upgrade: ftp },
  ldap: { ports: [389], upgrade: ldap },
  xmpp: { ports: [5222], upgrade: (c, context) => xmpp(c, context.domain) },
  postgres: { ports: [5432], upgrade: postgres },
};

const BY_PORT: ReadonlyMap<number, StarttlsProtocol> = new Map(
  Object.entries(PROTOCOLS).flatMap(([name, module]) =>
    module.ports.map((port) => [port, name as StarttlsProtocol] as const),
  ),
);

/** The STARTTLS protocol to speak on a port, for a `starttls` option. */
export function starttlsFor(
  option: StarttlsProtocol | 'auto' | 'none',
  port: number,
): StarttlsProtocol | null {
  if (option === 'none') return null;
  if (option === 'auto') return BY_PORT.get(port) ?? null;
  return option;
}

/** Runs the plain-text exchange that asks the server to start TLS. */
export async function upgrade(
  protocol: StarttlsProtocol,
  socket: Socket,
  deadline: Deadline,
  context: UpgradeContext,
): Promise<void> {
  const conversation = new Conversation(socket, deadline);
  try {
    await PROTOCOLS[protocol].upgrade(conversation, context);
    conversation.assertDrained();
  } finally {
    conversation.detach();
  }
}
