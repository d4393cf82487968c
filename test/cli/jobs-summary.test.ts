// The line `certsweep jobs run` prints for each run, from a run summary.
import { describe, expect, it } from 'vitest';
import { summaryLine } from '../../src/cli/jobs.js';
import type { RunSummary } from '../../src/index.js';

const summary: RunSummary = {
  job: 'dmz',
  mode: 'since',
  runId: 'r1',
  status: 'completed',
  startedAt: new Date('2026-12-01T03:00:00.000Z'),
  finishedAt: new Date('2026-12-01T03:00:04.120Z'),
  durationMs: 4120,
  total: 260,
  scanned: 254,
  skipped: 6,
  skippedBy: { recent: 6, backoff: 0, notInSpec: 0 },
  allSkipped: null,
  outcomes: { TIMEOUT: 12, ok: 12, REFUSED: 230 },
  newCertificates: 3,
  changedTargets: 1,
  darkTargets: 0,
  invalidChains: 2,
  aborted: false,
};

describe('summaryLine', () => {
  it('says when, which job, how it ended, ok first and then failures by count', () => {
    expect(summaryLine(summary)).toBe(
      '2026-12-01T03:00:04.120Z dmz: since run completed: 254 scanned (ok 12, REFUSED 230, TIMEOUT 12), 6 skipped (recent 6), 3 new certificates, 1 changed, 0 dark, 2 invalid chains, 4.1 s',
    );
  });

  it('gives the reasons for skips when the summary has them', () => {
    const withReasons = { ...summary, skippedBy: { recent: 5, backoff: 1, notInSpec: 0 } };
    expect(summaryLine(withReasons)).toMatch(/, 6 skipped \(recent 5, backing off 1\), /);
  });

  it('says when a run probed nothing because every target was recent', () => {
    const idle: RunSummary = { ...summary, scanned: 0, outcomes: {}, allSkipped: 'recent' };
    expect(summaryLine(idle)).toMatch(
      /: 0 scanned, 6 skipped \(recent 6\): nothing was due, every target was scanned within since, /,
    );
  });

  it('escapes control characters of a job name', () => {
    expect(summaryLine({ ...summary, job: 'evil\u001b[2J' })).toMatch(/ evil\\x1b\[2J: since run /);
  });
});
