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

/** Well-known plain-text ports that upgrade with STARTTLS. Implicit-TLS ports are absent. */
const BY_PORT: ReadonlyMap<number, StarttlsProtocol> = new Map([
  [25, 'smtp'],
  [587, 'smtp'],
  [143, 'imap'],
  [110, 'pop3'],
  [21, 'ftp'],
  [389, 'ldap'],
  [5222, 'xmpp'],
  [5432, 'postgres'],
]);

/** The STARTTLS protocol to speak on a port, for a `starttls` option. */
export function starttlsFor(
  option: StarttlsProtocol | 'auto' | 'none',
  port: number,
): StarttlsProtocol | null {
  if (option === 'none') return null;
  if (option === 'auto') return BY_PORT.get(port) ?? null;
  return option;
}

/** What a STARTTLS exchange needs to know beyond the socket. */
export interface UpgradeContext {
  /** Name for SMTP EHLO. */
  ehloName: string;
  /** Domain for the XMPP stream header: the SNI name, else the host. */
  domain: string;
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
    switch (protocol) {
      case 'smtp':
        await smtp(conversation, context.ehloName);
        break;
      case 'imap':
        await imap(conversation);
        break;
      case 'pop3':
        await pop3(conversation);
        break;
      case 'ftp':
        await ftp(conversation);
        break;
      case 'ldap':
        await ldap(conversation);
        break;
      case 'xmpp':
        await xmpp(conversation, context.domain);
        break;
      case 'postgres':
        await postgres(conversation);
        break;
    }
    conversation.assertDrained();
  } finally {
    conversation.detach();
  }
}
