import { describe, expect, it } from 'vitest';
import {
  countTargets,
  DEFAULT_MAX_TARGETS,
  expandTargets,
  TargetLimitError,
  TargetSpecError,
} from '../../src/index.js';

describe('maxTargets', () => {
  it('defaults to 2^24', () => {
    expect(DEFAULT_MAX_TARGETS).toBe(16_777_216n);
    expect(() => expandTargets({ hosts: '10.0.0.0/8', ports: 443 })).not.toThrow();
    expect(() => expandTargets({ hosts: '10.0.0.0/8', ports: '443,8443' })).toThrow(
      TargetLimitError,
    );
  });

  it('refuses an IPv6 /64 before the first target, saying how many it would be', () => {
    let error: unknown;
    try {
      expandTargets({ hosts: '2001:db8::/64', ports: 443 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TargetLimitError);
    expect(error).toBeInstanceOf(TargetSpecError);
    const limit = error as TargetLimitError;
    expect(limit.code).toBe('CERTSWEEP_TARGET_LIMIT');
    expect(limit.count).toBe(2n ** 64n);
    expect(limit.limit).toBe(2n ** 24n);
    expect(limit.message).toContain('18446744073709551616 targets');
    expect(limit.message).toContain('maxTargets (16777216)');
  });

  it('lets a caller raise or lower the limit explicitly', () => {
    const spec = { hosts: '2001:db8::/64', ports: 443 };
    const first = expandTargets(spec, { maxTargets: 2n ** 64n })
      [Symbol.iterator]()
      .next().value;
    expect(first).toEqual({ host: '2001:db8::', port: 443 });
    expect(() => expandTargets({ hosts: '10.0.0.0/30', ports: 443 }, { maxTargets: 3 })).toThrow(
      /expands to 4 targets, more than maxTargets \(3\)/,
    );
    expect(() =>
      expandTargets({ hosts: '10.0.0.0/30', ports: 443 }, { maxTargets: 4 }),
    ).not.toThrow();
  });

  it('applies to this shard’s share', () => {
    const spec = { hosts: '10.0.0.0/8', ports: '443,8443', shard: { index: 0, count: 2 } };
    expect(() => expandTargets(spec)).not.toThrow();
  });

  it('does not limit countTargets, which reports the size of any spec', () => {
    expect(countTargets({ hosts: '::/0', ports: '1-65535' })).toBe(2n ** 128n * 65535n);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => expandTargets({ hosts: '10.0.0.1', ports: 1 }, { maxTargets: -1 })).toThrow(
      /maxTargets: -1 must be a whole number/,
    );
    expect(() => expandTargets({ hosts: '10.0.0.1', ports: 1 }, { maxTargets: 1.5 })).toThrow(
      /maxTargets: 1\.5/,
    );
  });

  it('accepts Infinity to lift the limit', () => {
    expect(() =>
      expandTargets({ hosts: '::/0', ports: 443 }, { maxTargets: Infinity }),
    ).not.toThrow();
  });
});

describe('laziness', () => {
  it('streams a /8 without building it: the first targets arrive at once', () => {
    const iterator = expandTargets(
      { hosts: '10.0.0.0/8', ports: '443,8443,9443' },
      { maxTargets: 2n ** 26n },
    )[Symbol.iterator]();
    expect(iterator.next().value).toEqual({ host: '10.0.0.0', port: 443 });
    expect(iterator.next().value).toEqual({ host: '10.0.0.0', port: 8443 });
    expect(iterator.next().value).toEqual({ host: '10.0.0.0', port: 9443 });
    expect(iterator.next().value).toEqual({ host: '10.0.0.1', port: 443 });
  });

  it('crosses /24 and /16 boundaries with the right prefix', () => {
    const hosts = [...expandTargets({ hosts: '10.0.255.254-10.1.0.1', ports: 1 })].map(
      (t) => t.host,
    );
    expect(hosts).toEqual(['10.0.255.254', '10.0.255.255', '10.1.0.0', '10.1.0.1']);
  });
});
