// The questions a check plugin and a dashboard ask of the scale run's inventory, each asked
// REPEAT times: the median is its cost, the maximum (usually the first, cold one) the worst.
const DAY = 86_400_000;
const REPEAT = 5;

/**
 * What the queries ask about, from the fixture: a live target that stays live (it serves
 * leaf 1), that leaf, an intermediate, and `since` (when recording began). A reader gets it
 * from the recording process, so it need not load the fixture itself.
 */
export function questionsOf(lib, fixture, stream, since) {
  const live = stream.targetAt(fixture.layout.liveEvery);
  return {
    where: { address: live.host, port: live.port },
    intermediate: lib.fingerprint(fixture.intermediates[3]),
    leaf: lib.fingerprint(fixture.leaves[1]),
    since,
  };
}

/**
 * Times the queries on `inventory`; returns `{ name: { first, median, max, peakRssMb } }`,
 * times in ms.
 */
export async function timeQueries(lib, inventory, { where, intermediate, leaf, since }) {
  const soon = Date.now() + 30 * DAY;
  const questions = [
    ['checkExpiry', () => lib.checkExpiry(inventory, where), (a) => a.targets?.length > 0],
    ['target', () => inventory.target(where), (a) => a !== undefined],
    ['usage(intermediate)', () => inventory.usage(intermediate, { limit: 100 }), full],
    ['usage(leaf)', () => inventory.usage(leaf, { limit: 100 }), (a) => a.items.length === 1],
    ['expiringBefore', () => inventory.expiringBefore(soon, { limit: 100 }), full],
    ['darkTargets', () => inventory.darkTargets({ limit: 100 }), full],
    ['changesSince', () => inventory.changesSince(since, { limit: 100 }), full],
    [
      'certificates(issuer)',
      () => inventory.certificates({ issuer: 'RSA CA 4', limit: 100 }),
      full,
    ],
    ['aggregates', () => inventory.aggregates(), (a) => a !== undefined],
  ];
  const timings = {};
  for (const [name, ask, answered] of questions) {
    const samples = [];
    for (let i = 0; i < REPEAT; i++) {
      const begin = performance.now();
      const answer = await ask();
      samples.push(performance.now() - begin);
      if (!answered(answer))
        throw new Error(`${name}: unexpected answer ${JSON.stringify(answer)?.slice(0, 300)}`);
    }
    const first = samples[0];
    samples.sort((a, b) => a - b);
    timings[name] = {
      first,
      median: samples[Math.floor(REPEAT / 2)],
      max: samples[REPEAT - 1],
      // The process's peak RSS once this question was asked: which one raised it shows.
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  }
  return timings;
}

/** A page with something on it (each question of the fixture has an answer). */
function full(page) {
  return page.items.length > 0;
}
