import type { Socket } from 'node:net';
import { ScanOptionsError } from '../../errors.js';
import type { Deadline } from '../deadline.js';
import { Conversation } from './conversation.js';
import { ftp } from './ftp.js';
import { imap } from './imap.js';
import { irc } from './irc.js';
import { ldap } from './ldap.js';
import { lmtp } from './lmtp.js';
import { mysql } from './mysql.js';
import { nntp } from './nntp.js';
import { pop3 } from './pop3.js';
import { postgres } from './postgres.js';
import { sieve } from './sieve.js';
import { smtp } from './smtp.js';
import { xmpp } from './xmpp.js';

/** What a STARTTLS exchange needs to know beyond the socket. */
export interface UpgradeContext {
  /** Name for SMTP EHLO and LMTP LHLO. */
  ehloName: string;
  /** Domain for the XMPP stream header: the SNI name, else the host. */
  domain: string;
}

/** One STARTTLS protocol: its well-known plain-text ports and the exchange that upgrades. */
interface StarttlsModule {
  /** The protocol's name for people, in messages. */
  readonly title: string;
  /** Ports where `starttls: 'auto'` speaks it; each port belongs to one protocol at most. */
  readonly ports: readonly number[];
  upgrade(conversation: Conversation, context: UpgradeContext): Promise<void>;
  /**
   * Recognises the protocol's plain-text greeting in the start of a reply (latin1), so that a
   * server answering a ClientHello with it is told apart from any other non-TLS server.
   */
  readonly banner?: RegExp | ((reply: string) => boolean);
}

/**
 * Every STARTTLS protocol the scanner speaks. Implicit-TLS ports (465, 993, 995, 636, 563,
 * 6697) are absent: they get TLS straight away. Every exchange runs in a
 * {@link Conversation}, which bounds what any of them may read.
 */
const PROTOCOLS = {
  smtp: {
    title: 'SMTP',
    ports: [25, 587],
    upgrade: (c, context) => smtp(c, context.ehloName),
    // FTP and LMTP greet with 220 too; their banners name them.
    banner: /^220[ -](?![^\r\n]*(?:FTP|\bLMTP\b))/i,
  },
  imap: { title: 'IMAP', ports: [143], upgrade: imap, banner: /^\* (?:OK|PREAUTH)\b/i },
  pop3: { title: 'POP3', ports: [110], upgrade: pop3, banner: /^\+OK\b/ },
  ftp: { title: 'FTP', ports: [21], upgrade: ftp, banner: /^220[ -][^\r\n]*FTP/i },
  ldap: { title: 'LDAP', ports: [389], upgrade: ldap },
  xmpp: {
    title: 'XMPP',
    ports: [5222],
    upgrade: (c, context) => xmpp(c, context.domain),
    banner: /^(?:<\?xml[^>]*>\s*)?<stream:stream\b(?![^>]*jabber:server)/,
  },
  postgres: { title: 'PostgreSQL', ports: [5432], upgrade: postgres },
  mysql: {
    title: 'MySQL',
    ports: [3306],
    upgrade: mysql,
    // An Initial Handshake packet: a length, sequence 0, protocol 10, a version string.
    banner: (reply) => reply[3] === '\0' && reply[4] === '\n' && /^\d+\./.test(reply.slice(5)),
  },
  sieve: { title: 'ManageSieve', ports: [4190], upgrade: sieve, banner: /^"IMPLEMENTATION" /i },
  lmtp: {
    title: 'LMTP',
    ports: [24],
    upgrade: (c, context) => lmtp(c, context.ehloName),
    // Dovecot's LMTP greets as its SMTP submission does: either may be on the line.
    banner: /^220[ -][^\r\n]*\b(?:LMTP|Dovecot)\b/i,
  },
  nntp: { title: 'NNTP', ports: [119, 433], upgrade: nntp, banner: /^20[01] / },
  irc: {
    title: 'IRC',
    ports: [6667],
    upgrade: irc,
    banner: /^(?::\S+ +(?:NOTICE|\d{3}) |NOTICE AUTH\b)/,
  },
  'xmpp-server': {
    title: 'XMPP server-to-server',
    ports: [5269],
    upgrade: (c, context) => xmpp(c, context.domain, 'jabber:server'),
    banner: /^(?:<\?xml[^>]*>\s*)?<stream:stream\b[^>]*jabber:server/,
  },
} satisfies Record<string, StarttlsModule>;

/**
 * A STARTTLS protocol the scanner can speak before the TLS handshake: a name of the registry
 * above, such as `'smtp'`, `'mysql'` or `'xmpp-server'`.
 *
 * @useDeclaredType
 */
export type StarttlsProtocol = keyof typeof PROTOCOLS;

const MODULES: ReadonlyMap<StarttlsProtocol, StarttlsModule> = new Map(
  Object.entries(PROTOCOLS) as [StarttlsProtocol, StarttlsModule][],
);

/** The names of every STARTTLS protocol, in the registry's order. */
export const STARTTLS_PROTOCOLS: readonly StarttlsProtocol[] = [...MODULES.keys()];

const BY_PORT: ReadonlyMap<number, StarttlsProtocol> = new Map(
  [...MODULES].flatMap(([name, module]) => module.ports.map((port) => [port, name] as const)),
);

/**
 * A STARTTLS protocol per port, for `ScanOptions.starttls`: each port named (a number, or its
 * decimal text as JSON writes it) speaks its protocol, or `'none'` for TLS straight away; every
 * other port follows `default`, which is `'auto'` unless given (the well-known port rule), or
 * `'none'`, or one protocol.
 *
 * @example
 * ```ts
 * const starttls: StarttlsPorts = { 25: 'smtp', 2525: 'smtp', 3306: 'mysql', default: 'none' };
 * await scan({ hosts: 'mail.example.com', ports: '25,2525,3306,443' }, { starttls });
 * ```
 */
export interface StarttlsPorts {
  /** The protocol spoken on this port, or `'none'` for implicit TLS. */
  readonly [port: number]: StarttlsProtocol | 'none';
  /** What every port not named speaks. Default: `'auto'`. */
  readonly default?: StarttlsProtocol | 'auto' | 'none';
}

/**
 * What `ScanOptions.starttls` takes: one protocol for every port, `'auto'`, `'none'`, or a
 * protocol per port ({@link StarttlsPorts}).
 *
 * @example
 * ```ts
 * const everywhere: StarttlsOption = 'smtp';
 * const perPort: StarttlsOption = { 25: 'smtp', 2525: 'smtp' };
 * ```
 */
export type StarttlsOption = StarttlsProtocol | 'auto' | 'none' | StarttlsPorts;

const CHOICES: ReadonlySet<string> = new Set([...STARTTLS_PROTOCOLS, 'auto', 'none']);
const PORT = /^[1-9][0-9]{0,4}$/;

/**
 * Checks a `starttls` option and returns it as the scanner uses it (a per-port map copied and
 * frozen); a wrong one is a `ScanOptionsError` (option `starttls`) naming the port or the
 * protocol.
 */
export function checkStarttls(option: unknown): StarttlsOption {
  if (typeof option === 'string') {
    if (CHOICES.has(option)) return option as StarttlsOption;
    throw starttlsError(`"${option}" is not one of ${[...CHOICES].join(', ')}`);
  }
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw starttlsError(
      `${Array.isArray(option) ? 'a list' : String(option)} must be a protocol, 'auto', 'none' or { port: protocol }`,
    );
  }
  const ports: Record<string, StarttlsProtocol | 'auto' | 'none'> = {};
  for (const [key, value] of Object.entries(option)) {
    if (key === 'default') {
      if (typeof value !== 'string' || !CHOICES.has(value)) {
        throw starttlsError(
          `default: ${JSON.stringify(value) ?? String(value)} is not one of ${[...CHOICES].join(', ')}`,
        );
      }
      ports[key] = value as StarttlsProtocol | 'auto' | 'none';
      continue;
    }
    if (!PORT.test(key) || Number(key) > 65535) {
      throw starttlsError(`port "${key}" must be a whole number from 1 to 65535 (or "default")`);
    }
    if (typeof value !== 'string' || value === 'auto' || !CHOICES.has(value)) {
      throw starttlsError(
        `port ${key}: ${JSON.stringify(value) ?? String(value)} is not one of ${[...STARTTLS_PROTOCOLS, 'none'].join(', ')}`,
      );
    }
    ports[key] = value as StarttlsProtocol | 'none';
  }
  return Object.freeze(ports) as StarttlsPorts;
}

function starttlsError(message: string): ScanOptionsError {
  return new ScanOptionsError({ option: 'starttls', message: `starttls: ${message}` });
}

/** The STARTTLS protocol to speak on a port, for a `starttls` option {@link checkStarttls} passed. */
export function starttlsFor(option: StarttlsOption, port: number): StarttlsProtocol | null {
  const choice = typeof option === 'string' ? option : (option[port] ?? option.default ?? 'auto');
  if (choice === 'none') return null;
  if (choice === 'auto') return BY_PORT.get(port) ?? null;
  return choice;
}

/**
 * The protocols whose plain-text greeting starts `reply`, in the registry's order, each with
 * its name for people; empty when none is recognised. A greeting can fit more than one (Dovecot
 * greets the same on LMTP and SMTP).
 */
export function plainTextProtocols(reply: string): { name: StarttlsProtocol; title: string }[] {
  const found: { name: StarttlsProtocol; title: string }[] = [];
  for (const [name, module] of MODULES) {
    const banner = module.banner;
    if (banner && (typeof banner === 'function' ? banner(reply) : banner.test(reply))) {
      found.push({ name, title: module.title });
    }
  }
  return found;
}

/** Runs the plain-text exchange that asks the server to start TLS. */
export async function upgrade(
  protocol: StarttlsProtocol,
  socket: Socket,
  deadline: Deadline,
  context: UpgradeContext,
): Promise<void> {
  const module: StarttlsModule = PROTOCOLS[protocol];
  const conversation = new Conversation(socket, deadline);
  try {
    await module.upgrade(conversation, context);
    conversation.assertDrained();
  } finally {
    conversation.detach();
  }
}
