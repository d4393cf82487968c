import { describe, expect, it } from 'vitest';
import { expandTargets, type PortList, TargetSpecError } from '../../src/index.js';

const portsOf = (ports: PortList) =>
  [...expandTargets({ hosts: '192.0.2.1', ports })].map((t) => t.port);

function portError(ports: unknown): TargetSpecError {
  try {
    expandTargets({ hosts: '192.0.2.1', ports: ports as PortList });
  } catch (error) {
    if (error instanceof TargetSpecError) return error;
    throw error;
  }
  throw new Error(`expected ports ${JSON.stringify(ports)} to be refused`);
}

describe('ports', () => {
  it('takes numbers, strings, ranges, comma lists and arrays mixing them', () => {
    expect(portsOf(443)).toEqual([443]);
    expect(portsOf('443')).toEqual([443]);
    expect(portsOf('8443-8445')).toEqual([8443, 8444, 8445]);
    expect(portsOf(' 443 , 8443 - 8444 ')).toEqual([443, 8443, 8444]);
    expect(portsOf([993, '995', '25,587', '1-2'])).toEqual([1, 2, 25, 587, 993, 995]);
  });

  it('accepts the extremes 1 and 65535', () => {
    expect(portsOf('1,65535')).toEqual([1, 65535]);
    expect(portsOf('65534-65535')).toEqual([65534, 65535]);
  });

  it('probes each port once, ascending, however often it is listed', () => {
    expect(portsOf([443, '443', '440-445', 444])).toEqual([440, 441, 442, 443, 444, 445]);
  });

  it.each([
    [0, /"0" is out of range/],
    [65536, /"65536" is out of range/],
    ['70000', /"70000" is out of range/],
    [-1, /"-1" is out of range/],
    [44.3, /"44.3" is out of range/],
    [Number.NaN, /out of range/],
    ['0-10', /out of range/],
    ['65530-65536', /out of range/],
  ])('refuses the out-of-range port %s', (ports, message) => {
    const error = portError(ports);
    expect(error.field).toBe('ports');
    expect(error.message).toMatch(message);
  });

  it('refuses a reversed range and says how to write it', () => {
    const error = portError('8445-8443');
    expect(error.token).toBe('8445-8443');
    expect(error.message).toMatch(/reversed; write 8443-8445/);
  });

  it.each([
    ['https', /"https" is not a port/],
    ['443x', /"443x" is not a port/],
    ['1-2-3', /"1-2-3" is not a port/],
    ['443;8443', /"443;8443" is not a port/],
    ['0x1bb', /is not a port/],
  ])('refuses garbage: %s', (ports, message) => {
    expect(portError(ports).message).toMatch(message);
  });

  it('refuses empty lists and empty entries', () => {
    expect(portError([]).message).toMatch(/ports: the list is empty/);
    expect(portError('').message).toMatch(/ports: the list is empty/);
    expect(portError('443,,8443').message).toMatch(/empty entry/);
    expect(portError(undefined).message).toMatch(/ports: missing/);
  });

  it('refuses values that are neither numbers nor strings', () => {
    expect(portError([443, null]).message).toMatch(/null is not a port/);
    expect(portError({ port: 443 }).message).toMatch(/an object is not a port/);
  });
});
