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
    name: 'runs: endRun of an unknown id answers undefined and stores nothing',
    async body({ storage }) {
      await storage.startRun(run('run-1'));
      assert.equal(await storage.endRun('run-2', { status: 'failed', endedAt: T0 + 1 }), undefined);
      sameRecords(await everyPage((p) => storage.runs(p)), [run('run-1')]);
      assert.equal((await storage.counts()).run, 1);
    },
  },
];
