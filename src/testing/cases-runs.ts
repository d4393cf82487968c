// Cases for startRun() and endRun().
import assert from 'node:assert/strict';
import { certificate, run, T0, where } from './builders.js';
import { type CaseSpec, everyPage, sameRecords } from './harness.js';

/** The run cases. */
export const runCases: readonly CaseSpec[] = [
  {
    name: 'runs: startRun stores the run as given; endRun ends it and returns it',
    async body({ storage }) {
      const started = run('run-1', { job: 'dmz', zone: 'dc1', mode: 'rescan', total: 10 });
      await storage.startRun(started);
      sameRecords(await everyPage((p) => storage.runs(p)), [started]);
      const ended = await storage.endRun('run-1', {
        status: 'completed',
        endedAt: T0 + 1000,
        total: 12,
      });
      const expected = { ...started, status: 'completed', endedAt: T0 + 1000, total: 12 };
      sameRecords(ended, expected);
      sameRecords(await everyPage((p) => storage.runs(p)), [expected]);
    },
  },
  {
    name: 'runs: endRun without a total keeps the one stored, and the counters',
    async body({ storage, s }) {
      await storage.startRun(run('run-1', { total: 5 }));
      await storage.record([
        s.success(where('192.0.2.1'), T0, { chain: [certificate('a.example')], run: 'run-1' }),
        s.failure(where('192.0.2.2'), T0, 'REFUSED', { run: 'run-1' }),
      ]);
      const ended = await storage.endRun('run-1', { status: 'aborted', endedAt: T0 + 1 });
      sameRecords(
        ended,
        run('run-1', {
          total: 5,
          status: 'aborted',
          endedAt: T0 + 1,
          done: 2,
          succeeded: 1,
          failed: 1,
        }),
      );
    },
  },
  {
    name: 'runs: a run and the sightings of its results keep their scanner; none is null',
    async body({ storage, s }) {
      const started = run('run-1', { zone: 'dc1', scanner: 'dc1-a' });
      await storage.startRun(started);
      await storage.startRun(run('run-2'));
      const t = where('192.0.2.1', { zone: 'dc1' });
      const other = where('192.0.2.2', { zone: 'dc1' });
      const seen = s.success(t, T0, {
        chain: [certificate('a.example')],
        run: 'run-1',
        scanner: 'dc1-b',
      });
      const anonymous = s.success(other, T0, { chain: [certificate('b.example')], run: 'run-2' });
      const [first, second] = await storage.record([seen, anonymous]);
      assert.equal(first?.sighting?.scanner, 'dc1-b', 'Recorded.sighting names its scanner');
      assert.equal(second?.sighting?.scanner, null, 'a sighting without one says null');
      const dark = s.failure(t, T0 + 1, 'TIMEOUT', { run: 'run-1', scanner: 'dc1-c' });
      await storage.record([dark]);
      const history = await everyPage((p) => storage.history(t.key, p));
      assert.deepEqual(
        history.map((h) => [h.kind, h.scanner]),
        [
          ['new', 'dc1-b'],
          ['dark', 'dc1-c'],
        ],
      );
      const ended = await storage.endRun('run-1', { status: 'completed', endedAt: T0 + 2 });
      assert.equal(ended?.scanner, 'dc1-a', 'endRun keeps the scanner');
      const runs = await everyPage((p) => storage.runs(p));
      assert.deepEqual(
        runs.map((r) => [r.id, r.scanner]),
        [
          ['run-1', 'dc1-a'],
          ['run-2', null],
        ],
      );
    },
  },
  {
    name: 'runs: endRun of an unknown id answers undefined and stores nothing',
    async body({ storage }) {
      await storage.startRun(run('run-1'));
      assert.equal(await storage.endRun('run-2', { status: 'failed', endedAt: T0 + 1 }), undefined);
      sameRecords(await everyPage((p) => storage.runs(p)), [run('run-1')]);
      assert.equal((await storage.counts()).run, 1);
    },
  },
];
