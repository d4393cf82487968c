import { isIP } from 'node:net';

// rfc822Name and URI constraints (RFC 5280 section 4.2.1.10). An email constraint is a
// mailbox (`user@host`: that mailbox), a host (`host`: every mailbox there) or a domain
// (`.example.com`: every mailbox on a host below it). A URI constraint is a host or a domain
// in the same sense, compared with the URI's host. Hosts compare without case, local parts
// exactly.

/** A mailbox split at its last `@`, or `undefined` when it has none. */
export interface Mailbox {
  readonly local: string;
  readonly host: string;
}

/** Splits an rfc822Name; `undefined` when it is not a mailbox. */
export function mailbox(text: string): Mailbox | undefined {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  return { local: text.slice(0, at), host: text.slice(at + 1).toLowerCase() };
}

function hostWithin(host: string, constraint: string): boolean {
  const c = constraint.toLowerCase();
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

/** Whether `name` is in the subtree of an rfc822Name `constraint`. */
export function emailWithin(name: Mailbox, constraint: string): boolean {
  const box = mailbox(constraint);
  if (box) return name.local === box.local && name.host === box.host;
  return hostWithin(name.host, constraint);
}

/**
 * The host of a URI, lower case; `undefined` when it has none or it is an IP address (a URI
 * constraint names hosts, so such a URI cannot be judged).
 */
export function uriHost(uri: string): string | undefined {
  let host: string;
  try {
    host = new URL(uri).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === '' || host.startsWith('[') || isIP(host) !== 0) return undefined;
  return host.replace(/\.$/, '');
}

/** Whether a URI host is in the subtree of a URI `constraint`. */
export function uriWithin(host: string, constraint: string): boolean {
  return hostWithin(host, constraint);
}
