// Cases for Storage.problemCounts(): exact counts over a small crafted inventory (judged and
// unjudged targets, two trust stores on one chain, a dark target, a chain replaced), the same
// as the contract's model gives. An adapter without the optional method is held to the same
// counts through its listings, as the inventory counts without it.
import assert from 'node:assert/strict';
import { type ProblemCounts, ProblemTally } from '../inventory/problem-counts.js';
import type { Observation, Storage } from '../inventory/storage.js';
import { certificate, type Scenario, T0, verdict, where } from './builders.js';
import type { CaseSpec } from './harness.js';
import { Model } from './model.js';

/** The storage's own counts, or (without `problemCounts`) the counts of its listings. */
export async function storedProblemCounts(storage: Storage): Promise<ProblemCounts> {
  if (storage.problemCounts) return storage.problemCounts();
  const tally = new ProblemTally();
  let cursor: string | undefined;
  do {
    const page = await storage.targets({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const target of page.items) {
      if (target.chain !== null) tally.add(target, await storage.chain(target.chain));
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return tally.result();
}

/** What the contract's model counts over `model`'s targets. */
export function modelProblemCounts(model: Model): ProblemCounts {
  const tally = new ProblemTally();
  for (const target of model.target.values()) {
    if (target.chain !== null) tally.add(target, model.chain.get(target.chain));
  }
  return tally.result();
}

function crafted(s: Scenario): Observation[][] {
  const a = certificate('a.example');
  const b = certificate('b.example');
  const c = certificate('c.example');
  const d = certificate('d.example');
  const system = verdict('system');
  const broken = verdict('system', {
    valid: false,
    trusted: false,
    problems: ['expired', 'untrusted-root'],
  });
  const warned = verdict('system', { problems: ['weak-key'] });
  const untrusted = verdict('system', {
    valid: false,
    trusted: false,
    problems: ['untrusted-root'],
  });
  const corp = verdict('corp');
  const matched = (name: string) => ({ hostname: name, matched: true });
  return [
    [
      // Chain a, valid: matched, mismatched, and replaced below by chain b.
      s.success(where('192.0.2.1'), T0, { chain: [a], verdict: system, nameCheck: matched('a') }),
      s.success(where('192.0.2.2'), T0, {
        chain: [a],
        verdict: system,
        nameCheck: { hostname: 'x.example', matched: false },
      }),
      s.success(where('192.0.2.10'), T0, { chain: [a], verdict: system }),
      // Chain b, invalid with two problems: two targets, and one that goes dark.
      s.success(where('192.0.2.3'), T0, { chain: [b], verdict: broken }),
      s.success(where('192.0.2.4'), T0, { chain: [b], verdict: broken }),
      s.success(where('192.0.2.9'), T0, { chain: [b], verdict: broken }),
      // Chain c, valid with a warning.
      s.success(where('192.0.2.11'), T0, { chain: [c], verdict: warned }),
      // Chain d against two stores: invalid for one, valid for the other.
      s.success(where('192.0.2.5'), T0, { chain: [d], verdict: untrusted }),
      s.success(where('192.0.2.6'), T0, { chain: [d], verdict: corp }),
      // Not judged: a chain without a verdict, a target that never answered.
      s.success(where('192.0.2.7'), T0, { chain: [certificate('e.example')], verdict: null }),
      s.failure(where('192.0.2.8'), T0),
    ],
    [
      s.failure(where('192.0.2.9'), T0 + 1),
      s.success(where('192.0.2.10'), T0 + 1, { chain: [b], known: [b], verdict: broken }),
    ],
  ];
}

const EXPECTED: ProblemCounts = {
  // .1 .2 (a), .3 .4 .9 .10 (b), .11 (c), .5 .6 (d).
  targets: 9,
  // .2 (name), .3 .4 .9 .10 (b), .5 (d for system).
  invalidTargets: 6,
  nameMismatches: 1,
  // b for system, d for system.
  invalidChains: 2,
  byProblem: [
    { code: 'untrusted-root', chains: 2, targets: 5 },
    { code: 'expired', chains: 1, targets: 4 },
    { code: 'weak-key', chains: 1, targets: 1 },
  ],
};

const EMPTY: ProblemCounts = {
  targets: 0,
  invalidTargets: 0,
  nameMismatches: 0,
  invalidChains: 0,
  byProblem: [],
};

/** The problem-count cases. */
export const problemCases: readonly CaseSpec[] = [
  {
    name: 'problems: an empty store, and targets without verdicts, count nothing',
    async body({ storage, s }) {
      assert.deepStrictEqual(await storedProblemCounts(storage), EMPTY);
      await storage.record([
        s.success(where('192.0.2.1'), T0, { chain: [certificate('a.example')], verdict: null }),
        s.failure(where('192.0.2.2'), T0),
      ]);
      assert.deepStrictEqual(await storedProblemCounts(storage), EMPTY);
    },
  },
  {
    name: "problems: counts over the targets' current verdicts, as the model does",
    async body({ storage, s }) {
      const model = new Model({ darkAfter: 1, seenResolutionMs: 60_000 });
      for (const batch of crafted(s)) {
        for (const obs of batch) model.apply(obs);
        await storage.record(batch);
      }
      assert.deepStrictEqual(modelProblemCounts(model), EXPECTED, 'the model');
      assert.deepStrictEqual(await storedProblemCounts(storage), EXPECTED);
    },
  },
];
