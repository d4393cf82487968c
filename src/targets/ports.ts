import { TargetSpecError } from '../errors.js';
import type { PortList } from './types.js';

const PORT = /^\d{1,5}$/;
const PORT_RANGE = /^(\d{1,5})\s*-\s*(\d{1,5})$/;

/**
 * Parses a port list into the distinct ports it names, ascending.
 * Throws {@link TargetSpecError} naming the first bad token.
 */
export function parsePorts(ports: PortList): number[] {
  const items: readonly (number | string)[] = Array.isArray(ports)
    ? ports
    : [ports as number | string];
  const seen = new Uint8Array(65536);
  for (const item of items) {
    if (typeof item === 'number') {
      addPort(seen, item, String(item));
    } else if (typeof item === 'string') {
      for (const raw of item.split(',')) addToken(seen, raw.trim(), item);
    } else {
      throw new TargetSpecError({
        field: 'ports',
        token: String(item),
        message: `ports: ${describe(item)} is not a port; expected a number or a string like "443" or "8443-8445"`,
      });
    }
  }
  const result: number[] = [];
  for (let port = 1; port < 65536; port++) if (seen[port]) result.push(port);
  if (result.length === 0) {
    throw new TargetSpecError({
      field: 'ports',
      message: 'ports: the list is empty; name at least one port',
    });
  }
  return result;
}

function addToken(seen: Uint8Array, token: string, whole: string): void {
  if (token === '') {
    if (whole.trim() === '') return;
    throw new TargetSpecError({
      field: 'ports',
      token: whole,
      message: `ports: "${whole}" has an empty entry between commas`,
    });
  }
  if (PORT.test(token)) {
    addPort(seen, Number(token), token);
    return;
  }
  const range = PORT_RANGE.exec(token);
  if (!range) {
    throw new TargetSpecError({
      field: 'ports',
      token,
      message: `ports: "${token}" is not a port or port range; expected a number like "443" or a range like "8443-8445"`,
    });
  }
  const first = Number(range[1]);
  const last = Number(range[2]);
  checkPort(first, token);
  checkPort(last, token);
  if (first > last) {
    throw new TargetSpecError({
      field: 'ports',
      token,
      message: `ports: range "${token}" is reversed; write ${last}-${first}`,
    });
  }
  for (let port = first; port <= last; port++) seen[port] = 1;
}

function addPort(seen: Uint8Array, port: number, token: string): void {
  checkPort(port, token);
  seen[port] = 1;
}

function checkPort(port: number, token: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TargetSpecError({
      field: 'ports',
      token,
      message: `ports: "${token}" is out of range; ports are whole numbers from 1 to 65535`,
    });
  }
}

function describe(value: unknown): string {
  return value === null
    ? 'null'
    : typeof value === 'object'
      ? 'an object'
      : `${typeof value} ${String(value)}`;
}
