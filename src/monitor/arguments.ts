// Arguments of the monitor's public functions, checked before the inventory is read: a
// wrong one is a CheckOptionsError naming it, never a TypeError from deep inside.
import { CheckOptionsError } from '../errors/monitor.js';
import { Inventory } from '../inventory/inventory.js';
import type { CheckSubject } from './types.js';

export function checkInventory(inventory: unknown, where: string): void {
  if (!(inventory instanceof Inventory)) {
    fail(
      'inventory',
      `${where}: inventory must be an Inventory (Inventory.open()), not ${shown(inventory)}`,
    );
  }
}

export function checkSubject(subject: unknown): asserts subject is CheckSubject {
  if (typeof subject !== 'object' || subject === null || Array.isArray(subject)) {
    fail(
      'subject',
      `checkExpiry: subject must be { host, address, port, servername, zone } or { fingerprint }, not ${shown(subject)}`,
    );
  }
  const fields = subject as Record<string, unknown>;
  for (const field of ['host', 'address', 'servername', 'zone', 'fingerprint']) {
    const value = fields[field];
    if (value !== undefined && typeof value !== 'string') {
      fail(
        `subject.${field}`,
        `checkExpiry: subject.${field} must be a string, not ${shown(value)}`,
      );
    }
  }
  const port = fields.port;
  if (
    port !== undefined &&
    !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)
  ) {
    fail(
      'subject.port',
      `checkExpiry: subject.port must be a port from 1 to 65535, not ${shown(port)}`,
    );
  }
}

/** Checks an options object and its `at`; returns the time it names, in ms. */
export function checkAt(options: unknown, where: string): number {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options', `${where}: options must be an object, not ${shown(options)}`);
  }
  const { at } = options as { at?: unknown };
  if (at === undefined) return Date.now();
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Number.NaN;
  if (!Number.isFinite(ms))
    fail('at', `${where}: at must be a valid Date or ms since the epoch, not ${shown(at)}`);
  return ms;
}

export function checkExpiryCheck(check: unknown): void {
  const targets = (check as { targets?: unknown } | null)?.targets;
  if (typeof check !== 'object' || check === null || !Array.isArray(targets)) {
    fail('check', `formatNagios: check must be what checkExpiry() returns, not ${shown(check)}`);
  }
}

function fail(option: string, message: string): never {
  throw new CheckOptionsError({ option, message });
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'a list' : 'an object';
  return JSON.stringify(value) ?? String(value);
}
