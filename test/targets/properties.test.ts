import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTargets, expandTargets, type TargetSpec } from '../../src/index.js';
import { key, naiveTargets, type SmallSpec } from './oracle.js';

const v4Token = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((n) => `10.0.0.${n}`),
  fc
    .tuple(fc.integer({ min: 27, max: 32 }), fc.integer({ min: 0, max: 255 }))
    .map(([prefix, n]) => `10.0.0.${n & ~((1 << (32 - prefix)) - 1) & 255}/${prefix}`),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 }))
    .map(([n, len]) => `10.0.0.${n}-10.0.0.${Math.min(255, n + len)}`),
);
const v6Token = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((n) => `2001:db8::${n.toString(16)}`),
  fc
    .tuple(fc.integer({ min: 124, max: 128 }), fc.integer({ min: 0, max: 255 }))
    .map(
      ([prefix, n]) =>
        `2001:db8::${(n & ~((1 << (128 - prefix)) - 1) & 255).toString(16)}/${prefix}`,
    ),
);
const name = fc.constantFrom('a.example', 'B.example', 'c.example', 'mail.example.org');
const hostToken = fc.oneof(v4Token, v6Token, name);
const sniKey = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((n) => `10.0.0.${n}`),
  fc.integer({ min: 0, max: 255 }).map((n) => `2001:db8::${n.toString(16)}`),
);

const smallSpec: fc.Arbitrary<SmallSpec> = fc.record({
  hosts: fc.array(hostToken, { minLength: 1, maxLength: 5 }),
  ports: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
  exclude: fc.array(hostToken, { maxLength: 3 }),
  sni: fc.dictionary(sniKey, fc.array(name, { minLength: 1, maxLength: 2 }), { maxKeys: 3 }),
});

const toSpec = (s: SmallSpec): TargetSpec => ({
  hosts: s.hosts,
  ports: s.ports,
  exclude: s.exclude,
  sni: s.sni,
});

describe('target expansion properties', () => {
  it('produces exactly the targets of a naive model, once each, and counts them exactly', () => {
    fc.assert(
      fc.property(smallSpec, fc.boolean(), (s, outside) => {
        const options = { sniOutsideHosts: outside };
        const targets = [...expandTargets(toSpec(s), options)].map(key);
        const expected = naiveTargets(s, outside);
        expect(new Set(targets).size).toBe(targets.length);
        expect(new Set(targets)).toEqual(expected);
        expect(countTargets(toSpec(s), options)).toBe(BigInt(expected.size));
      }),
      { numRuns: 300 },
    );
  });

  it('shards partition the space: together every target exactly once', () => {
    fc.assert(
      fc.property(
        smallSpec,
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('sequential', 'random'),
        fc.integer(),
        (s, count, order, seed) => {
          const whole = [...expandTargets({ ...toSpec(s), order, seed })].map(key);
          const pieces: string[][] = [];
          for (let index = 0; index < count; index++) {
            const shard = { ...toSpec(s), order, seed, shard: { index, count } };
            const piece = [...expandTargets(shard)].map(key);
            expect(countTargets(shard)).toBe(BigInt(piece.length));
            pieces.push(piece);
          }
          // Shard sizes differ by at most one, and in sequence they are the whole order.
          const sizes = pieces.map((p) => p.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          expect(pieces.flat()).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random order is a permutation of sequential order, the same for the same seed', () => {
    fc.assert(
      fc.property(smallSpec, fc.oneof(fc.integer(), fc.string(), fc.bigInt()), (s, seed) => {
        const sequential = [...expandTargets(toSpec(s))].map(key);
        const random = [...expandTargets({ ...toSpec(s), order: 'random', seed })].map(key);
        const again = [...expandTargets({ ...toSpec(s), order: 'random', seed })].map(key);
        expect(random).toEqual(again);
        expect([...random].sort()).toEqual([...sequential].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('iterating twice gives the same targets', () => {
    fc.assert(
      fc.property(smallSpec, (s) => {
        const iterable = expandTargets({ ...toSpec(s), order: 'random' });
        expect([...iterable]).toEqual([...iterable]);
      }),
      { numRuns: 50 },
    );
  });
});
