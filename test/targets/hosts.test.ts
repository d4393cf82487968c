import { describe, expect, it } from 'vitest';
import { countTargets, expandTargets, type TargetSpec, TargetSpecError } from '../../src/index.js';

const hostsOf = (spec: TargetSpec) => [...expandTargets(spec)].map((t) => t.host);

function specError(spec: TargetSpec): TargetSpecError {
  try {
    countTargets(spec);
  } catch (error) {
    if (error instanceof TargetSpecError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be refused`);
}

describe('hosts', () => {
  it('expands an IPv4 CIDR to every address, network and broadcast included', () => {
    expect(hostsOf({ hosts: '192.0.2.0/30', ports: 443 })).toEqual([
      '192.0.2.0',
      '192.0.2.1',
      '192.0.2.2',
      '192.0.2.3',
    ]);
  });

  it('expands an IPv6 CIDR and prints RFC 5952 form', () => {
    expect(hostsOf({ hosts: '2001:DB8:0:0:0:0:0:0/126', ports: 443 })).toEqual([
      '2001:db8::',
      '2001:db8::1',
      '2001:db8::2',
      '2001:db8::3',
    ]);
    expect(hostsOf({ hosts: '2001:0db8:0000:0000:0001:0000:0000:0001', ports: 443 })).toEqual([
      '2001:db8::1:0:0:1',
    ]);
  });

  it('expands first-last address ranges in both families', () => {
    expect(hostsOf({ hosts: '192.0.2.254-192.0.3.1', ports: 1 })).toEqual([
      '192.0.2.254',
      '192.0.2.255',
      '192.0.3.0',
      '192.0.3.1',
    ]);
    expect(hostsOf({ hosts: '2001:db8::ffff-2001:db8::1:1', ports: 1 })).toEqual([
      '2001:db8::ffff',
      '2001:db8::1:0',
      '2001:db8::1:1',
    ]);
  });

  it('accepts /0 and /32 at the edges of the IPv4 space', () => {
    expect(countTargets({ hosts: '0.0.0.0/0', ports: 1 })).toBe(2n ** 32n);
    expect(hostsOf({ hosts: '255.255.255.255/32', ports: 1 })).toEqual(['255.255.255.255']);
    expect(hostsOf({ hosts: '255.255.255.254/31', ports: 1 })).toEqual([
      '255.255.255.254',
      '255.255.255.255',
    ]);
  });

  it('keeps hostnames as hostnames, sent as SNI, normalised to lower-case ASCII', () => {
    expect([...expandTargets({ hosts: 'Mail.Example.COM.', ports: 25 })]).toEqual([
      { host: 'mail.example.com', port: 25, servername: 'mail.example.com' },
    ]);
    expect(hostsOf({ hosts: 'bücher.example', ports: 443 })).toEqual(['xn--bcher-kva.example']);
  });

  it('sends no SNI for bare addresses', () => {
    const [target] = expandTargets({ hosts: '192.0.2.1', ports: 443 });
    expect(target).toEqual({ host: '192.0.2.1', port: 443 });
    expect(target && 'servername' in target).toBe(false);
  });

  it('splits strings on commas and white space and takes arrays of such strings', () => {
    expect(
      hostsOf({ hosts: ['192.0.2.1,192.0.2.2  192.0.2.3\n', ' 192.0.2.4 '], ports: 1 }),
    ).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']);
  });

  it('produces one target for overlapping CIDRs, repeated hosts and repeated names', () => {
    const spec: TargetSpec = {
      hosts: [
        '192.0.2.0/24',
        '192.0.2.128/25',
        '192.0.2.7',
        '192.0.2.250-192.0.3.1',
        'a.example',
        'A.example.',
      ],
      ports: '443,443',
    };
    const hosts = hostsOf(spec);
    expect(hosts.length).toBe(256 + 2 + 1);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(countTargets(spec)).toBe(259n);
  });

  it('orders IPv4 ranges, then IPv6 ranges, then hostnames', () => {
    expect(
      hostsOf({ hosts: 'b.example 2001:db8::1 192.0.2.9 a.example 192.0.2.1', ports: 1 }),
    ).toEqual(['192.0.2.1', '192.0.2.9', '2001:db8::1', 'a.example', 'b.example']);
  });
});

describe('bad host tokens', () => {
  it.each([
    ['10.1', /"10\.1": expected a four-part dotted IPv4 address/],
    ['10.0.1', /four-part/],
    ['127.1', /four-part/],
    ['0x7f.0.0.1', /four-part/],
    ['2130706433', /four-part/],
    ['example.123', /four-part/],
    ['010.0.0.1', /leading zero.*write 10/],
    ['256.0.0.1', /octet 256 is out of range/],
    ['1.2.3.4.5', /four-part/],
  ])('refuses IPv4 short, octal, hex and malformed forms: %s', (token, message) => {
    const error = specError({ hosts: token, ports: 443 });
    expect(error.code).toBe('CERTSWEEP_TARGET_SPEC');
    expect(error.field).toBe('hosts');
    expect(error.token).toBe(token);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`"${token}"`);
  });

  it('names the network the user probably meant when host bits are set', () => {
    expect(specError({ hosts: '10.0.0.1/8', ports: 443 }).message).toMatch(
      /did you mean 10\.0\.0\.0\/8\?/,
    );
    expect(specError({ hosts: '2001:db8::1/64', ports: 443 }).message).toMatch(
      /did you mean 2001:db8::\/64\?/,
    );
  });

  it.each([
    ['10.0.0.0/33', /prefix length must be a whole number from 0 to 32/],
    ['2001:db8::/129', /from 0 to 128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/8/8', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
  ])('refuses a bad prefix length: %s', (token, message) => {
    expect(specError({ hosts: token, ports: 443 }).message).toMatch(message);
  });

  it('refuses IPv4-mapped IPv6 and embedded dotted IPv4, naming the IPv4 address', () => {
    expect(specError({ hosts: '::ffff:a00:1', ports: 443 }).message).toMatch(
      /IPv4-mapped.*write the IPv4 address 10\.0\.0\.1/,
    );
    expect(specError({ hosts: '::ffff:10.0.0.1', ports: 443 }).message).toMatch(
      /IPv4-mapped.*10\.0\.0\.1/,
    );
    expect(specError({ hosts: '::10.0.0.1', ports: 443 }).message).toMatch(/embedded dotted IPv4/);
    expect(specError({ hosts: '::ffff:0:0/96', ports: 443 }).message).toMatch(/IPv4-mapped/);
  });

  it.each([
    ['fe80::1%eth0', /zone identifiers/],
    ['2001:db8:::1', /expected an IPv6 address/],
    ['1:2:3:4:5:6:7:8:9', /expected an IPv6 address/],
    ['*.example.com', /wildcard/],
    ['bad_label-.example', /not a valid DNS label/],
    ['-x.example', /not a valid DNS label/],
    ['a..b', /not a valid DNS label/],
    ['https://example.com/', /looks like a URL/],
    ['example.com:443', /host:port is not accepted/],
    ['192.0.2.1:443', /host:port is not accepted/],
    ['[2001:db8::1]:443', /host:port is not accepted/],
    [`${'a'.repeat(64)}.example`, /not a valid DNS label/],
    [`${'abcdefghi.'.repeat(26)}com`, /1 to 253 characters/],
  ])('refuses %s', (token, message) => {
    expect(specError({ hosts: token, ports: 443 }).message).toMatch(message);
  });

  it('refuses reversed, mixed and half-written ranges', () => {
    expect(specError({ hosts: '10.0.0.9-10.0.0.1', ports: 1 }).message).toMatch(/reversed/);
    expect(specError({ hosts: '10.0.0.1-2001:db8::1', ports: 1 }).message).toMatch(
      /mix IPv4 and IPv6/,
    );
    expect(specError({ hosts: '10.0.0.1-9', ports: 1 }).message).toMatch(
      /range end.*both full addresses/,
    );
  });

  it('refuses an empty host list and non-string entries', () => {
    expect(specError({ hosts: '', ports: 443 }).message).toMatch(/hosts: the list is empty/);
    expect(specError({ hosts: [], ports: 443 }).message).toMatch(/hosts: the list is empty/);
    expect(specError({ hosts: [42 as unknown as string], ports: 443 }).message).toMatch(
      /hosts: 42 is not a string/,
    );
  });

  it('refuses a spec with an unknown or missing field', () => {
    const unknown = specError({ host: '10.0.0.1', ports: 443 } as unknown as TargetSpec);
    expect(unknown.field).toBe('spec');
    expect(unknown.message).toMatch(/unknown field "host"/);
    expect(specError({ hosts: '10.0.0.1' } as TargetSpec).message).toMatch(/ports: missing/);
    expect(specError({ ports: 443 } as TargetSpec).message).toMatch(/hosts: missing/);
    expect(specError(null as unknown as TargetSpec).message).toMatch(/must be an object/);
  });
});
