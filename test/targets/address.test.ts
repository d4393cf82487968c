import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../src/targets/address.js';

describe('IPv6 formatting', () => {
  // Groups drawn mostly from 0 so that runs of zeros of every length and position occur.
  const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));

  it('matches ipaddr.js RFC 5952 output for every shape of zero run', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        const expected = new ipaddr.IPv6(groups).toRFC5952String();
        // ipaddr.js prints the IPv4-mapped block in mixed notation; we never produce it.
        fc.pre(!expected.includes('.'));
        expect(formatIPv6(value)).toBe(expected);
        const parsed = parseIPv6(expected);
        expect(parsed.ok && parsed.value).toBe(value);
      }),
      { numRuns: 3000 },
    );
  });

  it('does not shorten a single zero group (RFC 5952 section 4.2.2)', () => {
    expect(formatIPv6(0x20010db8000000010001000100010001n)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6(0n)).toBe('::');
    expect(formatIPv6(1n)).toBe('::1');
  });
});

describe('IPv4', () => {
  it('round-trips every kind of address', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        const text = formatIPv4(value);
        expect(text).toBe(
          ipaddr
            .fromByteArray([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255])
            .toString(),
        );
        const parsed = parseIPv4(text);
        expect(parsed.ok && parsed.value).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});
