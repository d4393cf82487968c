// Bad arguments of the monitor's functions are CheckOptionsErrors naming them, never a
// TypeError.
import { describe, expect, it } from 'vitest';
import { CheckOptionsError } from '../../src/errors.js';
import {
  checkExpiry,
  escapeLabel,
  formatNagios,
  formatPrometheus,
} from '../../src/monitor/index.js';
import { Inventory } from './fixtures.js';

describe('monitor: arguments', () => {
  it.each([
    ['subject', null, {}],
    ['subject.host', { host: 5 }, {}],
    ['subject.port', { host: 'a', port: 99999 }, {}],
    ['subject.fingerprint', { fingerprint: 5 }, {}],
    ['options', { host: 'a' }, null],
    ['at', { host: 'a' }, { at: 'today' }],
  ])('checkExpiry: %s', async (option, subject, options) => {
    const inventory = await Inventory.open();
    const check = checkExpiry(inventory, subject as never, options as never);
    await expect(check).rejects.toBeInstanceOf(CheckOptionsError);
    await expect(check).rejects.toMatchObject({ option, code: 'CERTSWEEP_CHECK_OPTIONS' });
    await inventory.close();
  });

  it('checkExpiry and formatPrometheus without an inventory', async () => {
    await expect(checkExpiry(null as never, { host: 'a' })).rejects.toMatchObject({
      option: 'inventory',
    });
    await expect(formatPrometheus({} as never)).rejects.toBeInstanceOf(CheckOptionsError);
    const inventory = await Inventory.open();
    await expect(formatPrometheus(inventory, { at: Number.NaN })).rejects.toMatchObject({
      option: 'at',
    });
    await inventory.close();
  });

  it('formatNagios of something that is not a check', () => {
    expect(() => formatNagios(null as never)).toThrow(CheckOptionsError);
    expect(() => formatNagios({ state: 'OK' } as never)).toThrow(CheckOptionsError);
  });

  it('escapeLabel of a non-string escapes its text', () => {
    expect(escapeLabel(5 as never)).toBe('5');
  });
});
