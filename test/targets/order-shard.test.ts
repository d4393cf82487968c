import { describe, expect, it } from 'vitest';
import { countTargets, expandTargets, type TargetSpec, TargetSpecError } from '../../src/index.js';

const keys = (spec: TargetSpec) => [...expandTargets(spec)].map((t) => `${t.host}:${t.port}`);

describe('random order', () => {
  const spec: TargetSpec = { hosts: '10.0.0.0/16', ports: 443, order: 'random', seed: 7 };

  it('spreads consecutive probes across /24 subnets', () => {
    const hosts = [...expandTargets(spec)].map((t) => t.host);
    let sameSubnet = 0;
    for (let i = 1; i < hosts.length; i++) {
      const a = hosts[i - 1] as string;
      const b = hosts[i] as string;
      if (a.slice(0, a.lastIndexOf('.')) === b.slice(0, b.lastIndexOf('.'))) sameSubnet++;
    }
    // 256 subnets: a uniform shuffle puts about 1 in 256 neighbours in the same one;
    // sequential order puts 255 in 256 there.
    expect(sameSubnet / hosts.length).toBeLessThan(0.01);
    // And the first 256 probes touch many distinct subnets, not one.
    const firstSubnets = new Set(hosts.slice(0, 256).map((h) => h.split('.')[2]));
    expect(firstSubnets.size).toBeGreaterThan(140);
  });

  it('gives the same order for the same seed and a different one for another seed', () => {
    expect(keys(spec)).toEqual(keys({ ...spec }));
    expect(keys({ ...spec, seed: 'seven' })).toEqual(keys({ ...spec, seed: 'seven' }));
    expect(keys({ ...spec, seed: 8 }).slice(0, 100)).not.toEqual(keys(spec).slice(0, 100));
    expect(keys({ ...spec, seed: 7n })).toEqual(keys(spec));
  });

  it('uses seed 0 when none is given, so shards of one spec always agree', () => {
    const noSeed: TargetSpec = { hosts: '10.0.0.0/20', ports: 443, order: 'random' };
    expect(keys(noSeed)).toEqual(keys({ ...noSeed, seed: 0 }));
  });

  it('covers a one-target space', () => {
    expect(keys({ hosts: '10.0.0.1', ports: 443, order: 'random' })).toEqual(['10.0.0.1:443']);
  });

  it('permutes spaces beyond 2^52 targets on the bigint path, lazily', () => {
    const huge: TargetSpec = {
      hosts: '2001:db8::/64',
      ports: '443,8443',
      order: 'random',
      seed: 1,
    };
    const iterator = expandTargets(huge, { maxTargets: 2n ** 65n })[Symbol.iterator]();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const { value } = iterator.next();
      expect(value?.host.startsWith('2001:db8:')).toBe(true);
      seen.add(`${value?.host} ${value?.port}`);
    }
    expect(seen.size).toBe(2000);
  });

  it('refuses an unknown order or a fractional seed', () => {
    expect(() => countTargets({ ...spec, order: 'shuffled' as 'random' })).toThrow(
      /order: "shuffled"/,
    );
    expect(() => countTargets({ ...spec, seed: 1.5 })).toThrow(/seed: 1\.5 must be a whole number/);
  });
});

describe('shard', () => {
  const spec: TargetSpec = { hosts: '10.0.0.0/24', ports: '443,8443' };

  it('splits the space into contiguous slices that differ in size by at most one', () => {
    const whole = keys(spec);
    const slices = [0, 1, 2].map((index) => keys({ ...spec, shard: { index, count: 3 } }));
    expect(slices.map((s) => s.length)).toEqual([170, 171, 171]);
    expect(slices.flat()).toEqual(whole);
    expect(slices.map((_, index) => countTargets({ ...spec, shard: { index, count: 3 } }))).toEqual(
      [170n, 171n, 171n],
    );
  });

  it('may split part-way through one host’s ports', () => {
    const first = keys({ ...spec, shard: { index: 0, count: 3 } });
    const second = keys({ ...spec, shard: { index: 1, count: 3 } });
    expect(first.at(-1)).toBe('10.0.0.84:8443');
    expect(second[0]).toBe('10.0.0.85:443');
    const odd = keys({ hosts: '10.0.0.0/30', ports: '1-3', shard: { index: 1, count: 2 } });
    expect(odd).toEqual([
      '10.0.0.2:1',
      '10.0.0.2:2',
      '10.0.0.2:3',
      '10.0.0.3:1',
      '10.0.0.3:2',
      '10.0.0.3:3',
    ]);
    const middle = keys({ hosts: '10.0.0.0/31', ports: '1-3', shard: { index: 1, count: 3 } });
    expect(middle).toEqual(['10.0.0.0:3', '10.0.0.1:1']);
  });

  it('leaves shards empty when there are more shards than targets', () => {
    const counts = [0, 1, 2, 3].map(
      (index) => keys({ hosts: '10.0.0.1', ports: '1,2', shard: { index, count: 4 } }).length,
    );
    expect(counts).toEqual([0, 1, 0, 1]);
  });

  it.each([
    [{ index: 3, count: 3 }, /shard: index 3 must be a whole number from 0 to 2/],
    [{ index: -1, count: 3 }, /shard: index -1/],
    [{ index: 0, count: 0 }, /shard: count 0 must be a whole number of at least 1/],
    [{ index: 0.5, count: 2 }, /shard: index 0\.5/],
    [{ index: 0 }, /shard: count undefined/],
  ])('refuses the bad shard %j', (shard, message) => {
    try {
      countTargets({ ...spec, shard: shard as { index: number; count: number } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TargetSpecError);
      expect((error as TargetSpecError).field).toBe('shard');
      expect((error as TargetSpecError).message).toMatch(message);
    }
  });
});
