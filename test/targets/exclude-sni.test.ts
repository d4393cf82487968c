import { describe, expect, it } from 'vitest';
import {
  countTargets,
  type ExpandOptions,
  expandTargets,
  type TargetSpec,
  TargetSpecError,
} from '../../src/index.js';

const list = (spec: TargetSpec, options?: ExpandOptions) =>
  [...expandTargets(spec, options)].map((t) =>
    t.servername ? `${t.host}:${t.port}@${t.servername}` : `${t.host}:${t.port}`,
  );

describe('exclude', () => {
  it('removes exact addresses, CIDRs, ranges and hostnames', () => {
    const spec: TargetSpec = {
      hosts: ['192.0.2.0/28', 'a.example', 'b.example'],
      ports: 443,
      exclude: ['192.0.2.0', '192.0.2.8/30', '192.0.2.13-192.0.2.14', 'B.EXAMPLE.'],
    };
    expect(list(spec)).toEqual([
      '192.0.2.1:443',
      '192.0.2.2:443',
      '192.0.2.3:443',
      '192.0.2.4:443',
      '192.0.2.5:443',
      '192.0.2.6:443',
      '192.0.2.7:443',
      '192.0.2.12:443',
      '192.0.2.15:443',
      'a.example:443@a.example',
    ]);
    expect(countTargets(spec)).toBe(10n);
  });

  it('excludes a whole IPv6 subnet out of a larger one, exactly, without iterating', () => {
    const spec: TargetSpec = { hosts: '2001:db8::/64', ports: 443, exclude: '2001:db8::/65' };
    expect(countTargets(spec)).toBe(2n ** 63n);
  });

  it('may exclude everything, which yields no targets rather than an error', () => {
    expect(list({ hosts: '192.0.2.0/30', ports: 443, exclude: '192.0.2.0/24' })).toEqual([]);
  });

  it('reports bad exclusion tokens under exclude', () => {
    try {
      expandTargets({ hosts: '192.0.2.0/24', ports: 443, exclude: '192.0.2.1/24' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TargetSpecError);
      expect((error as TargetSpecError).field).toBe('exclude');
      expect((error as TargetSpecError).message).toMatch(
        /exclude: "192\.0\.2\.1\/24".*192\.0\.2\.0\/24/,
      );
    }
  });
});

describe('sni', () => {
  const base: TargetSpec = {
    hosts: '192.0.2.0/30',
    ports: '443,8443',
    sni: {
      '192.0.2.1': ['www.example.com', 'API.example.com'],
      '198.51.100.7': 'outside.example',
    },
  };

  it('adds a target per name and port with that servername, keeping the plain probe', () => {
    const targets = list(base);
    expect(targets.filter((t) => t.startsWith('192.0.2.1:'))).toEqual([
      '192.0.2.1:443',
      '192.0.2.1:8443',
      '192.0.2.1:443@api.example.com',
      '192.0.2.1:8443@api.example.com',
      '192.0.2.1:443@www.example.com',
      '192.0.2.1:8443@www.example.com',
    ]);
    expect(targets.length).toBe(4 * 2 + 2 * 2);
  });

  it('skips map addresses outside hosts unless asked, then scans only their SNI names', () => {
    expect(list(base).some((t) => t.startsWith('198.51.100.7'))).toBe(false);
    const outside = list(base, { sniOutsideHosts: true }).filter((t) =>
      t.startsWith('198.51.100.7'),
    );
    expect(outside).toEqual([
      '198.51.100.7:443@outside.example',
      '198.51.100.7:8443@outside.example',
    ]);
    expect(countTargets(base, { sniOutsideHosts: true })).toBe(14n);
  });

  it('works with no hosts at all when asked to scan the map', () => {
    const spec: TargetSpec = {
      hosts: [],
      ports: 443,
      sni: new Map([['2001:db8::1', ['v6.example']]]),
    };
    expect(list(spec)).toEqual([]);
    expect(list(spec, { sniOutsideHosts: true })).toEqual(['2001:db8::1:443@v6.example']);
  });

  it('normalises keys and names, and keeps each pair once', () => {
    const spec: TargetSpec = {
      hosts: '2001:db8::/126',
      ports: 443,
      sni: {
        '2001:DB8:0::1': ['a.example', 'A.EXAMPLE.'],
        '2001:db8::1': 'a.example, b.example',
      },
    };
    expect(list(spec).filter((t) => t.includes('@'))).toEqual([
      '2001:db8::1:443@a.example',
      '2001:db8::1:443@b.example',
    ]);
  });

  it('honours exclusions of the address and of the name', () => {
    expect(list({ ...base, exclude: '192.0.2.1' }).some((t) => t.includes('@'))).toBe(false);
    expect(list({ ...base, exclude: 'www.example.com' }).filter((t) => t.includes('@'))).toEqual([
      '192.0.2.1:443@api.example.com',
      '192.0.2.1:8443@api.example.com',
    ]);
  });

  it.each([
    [{ '192.0.2.0/24': 'a.example' }, /key "192\.0\.2\.0\/24".*single IP addresses/],
    [{ 'www.example.com': 'a.example' }, /key "www\.example\.com".*single IP addresses/],
    [{ '10.1': 'a.example' }, /key "10\.1".*four-part/],
    [{ '192.0.2.1': '192.0.2.1' }, /SNI names must be hostnames/],
    [{ '192.0.2.1': ['*.example.com'] }, /wildcard/],
    [{ '192.0.2.1': [7] }, /must be strings/],
  ])('refuses a bad map %j', (sni, message) => {
    try {
      expandTargets({ hosts: '192.0.2.0/24', ports: 443, sni: sni as TargetSpec['sni'] & object });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TargetSpecError);
      expect((error as TargetSpecError).field).toBe('sni');
      expect((error as TargetSpecError).message).toMatch(message);
    }
  });
});
