// A STARTTLS protocol per port: one job covers a mail host's SMTP on a port of its own, MySQL
// and a plain TLS port, from a job definition and from a jobs file; a bad port or protocol in
// the map is an error naming it.
import { describe, expect, it } from 'vitest';
import { JobError, JobsFileError, ScanOptionsError } from '../../src/errors.js';
import { defineJob, JobEvents, parseJobsFile, runJob } from '../../src/jobs/index.js';
import { resolveScanOptions, type ScanResult } from '../../src/scan/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import { defaultServing, startStarttlsServer, startTlsServer } from '../helpers/farm.js';
import { Inventory, memoryStorage } from './inventory.js';

const host = '127.44.0.1';
const serving = defaultServing();
const trust = TrustStore.fromPem(serving.root.pem);
const start = closedAfterAll();

/** The mail host: SMTP and MySQL on ports no `auto` rule knows, and TLS straight away. */
async function mailHost() {
  const smtp = await start(startStarttlsServer('smtp', serving, { host }));
  const mysql = await start(startStarttlsServer('mysql', serving, { host }));
  const tls = await start(startTlsServer(serving, { host }));
  return { smtp: smtp.port, mysql: mysql.port, tls: tls.port };
}

/** Runs `job` into a fresh inventory: each port's result, and the targets as recorded. */
async function run(job: Parameters<typeof runJob>[0]) {
  const inventory = await Inventory.open({ storage: memoryStorage() });
  const results = new Map<number, ScanResult>();
  const events = new JobEvents();
  events.on('result', ({ result }) => results.set(result.target.port, result));
  const summary = await runJob(job, { inventory, trust, mode: 'full', events });
  const targets = (await inventory.targets()).items;
  await inventory.close();
  return { summary, results, targets };
}

describe('starttls per port', () => {
  it('one job: SMTP on a port of its own, MySQL, and a plain TLS port', async () => {
    const ports = await mailHost();
    const job = defineJob({
      name: 'mail',
      targets: { hosts: host, ports: [ports.smtp, ports.mysql, ports.tls] },
      scan: { starttls: { [ports.smtp]: 'smtp', [ports.mysql]: 'mysql' } },
    });
    const { summary, results, targets } = await run(job);
    expect(summary.outcomes).toEqual({ ok: 3 });
    const spoken = (port: number) => {
      const result = results.get(port);
      return result?.ok ? result.starttls : result?.error.code;
    };
    expect(spoken(ports.smtp)).toBe('smtp');
    expect(spoken(ports.mysql)).toBe('mysql');
    // Not in the map: the `auto` rule, which knows no protocol on this port: TLS straight away.
    expect(spoken(ports.tls)).toBeNull();
    const recorded = new Map(targets.map((t) => [t.port, t.starttls]));
    expect(recorded).toEqual(
      new Map([
        [ports.smtp, 'smtp'],
        [ports.mysql, 'mysql'],
        [ports.tls, null],
      ]),
    );
    // Every handshake was judged: the served chain against the farm's root.
    expect(summary.invalidChains).toBe(0);
  });

  it('without the map the SMTP port is plain text: NOT_TLS with a hint', async () => {
    const ports = await mailHost();
    const { results } = await run(
      defineJob({ name: 'mail', targets: { hosts: host, ports: [ports.smtp, ports.tls] } }),
    );
    const smtp = results.get(ports.smtp);
    expect(smtp?.ok ? 'ok' : smtp?.error.code).toBe('NOT_TLS');
    expect(smtp?.ok ? '' : smtp?.error.message).toMatch(/try starttls: 'smtp'/);
    expect(results.get(ports.tls)?.ok).toBe(true);
  });

  it('from a jobs file, ports as JSON keys, with default "none"', async () => {
    const ports = await mailHost();
    const [job] = parseJobsFile(
      JSON.stringify({
        jobs: [
          {
            name: 'mail',
            targets: { hosts: host, ports: [ports.smtp, ports.tls] },
            scan: { starttls: { [String(ports.smtp)]: 'smtp', default: 'none' } },
          },
        ],
      }),
      'jobs.json',
    );
    if (!job) throw new Error('no job parsed');
    const { summary, targets } = await run(job);
    expect(summary.outcomes).toEqual({ ok: 2 });
    expect(new Map(targets.map((t) => [t.port, t.starttls]))).toEqual(
      new Map([
        [ports.smtp, 'smtp'],
        [ports.tls, null],
      ]),
    );
  });

  it.each([
    [
      'a port out of range',
      { 70000: 'smtp' },
      /starttls: port "70000" must be a whole number from 1 to 65535/,
    ],
    ['port 0', { 0: 'smtp' }, /starttls: port "0" must be/],
    ['a port that is not a number', { smtp: 'smtp' }, /starttls: port "smtp" must be/],
    [
      'a protocol not in the registry',
      { 2525: 'smtps' },
      /starttls: port 2525: "smtps" is not one of smtp, .*xmpp-server, none$/,
    ],
    ['auto for one port', { 2525: 'auto' }, /starttls: port 2525: "auto" is not one of/],
    ['a protocol that is not a string', { 25: 7 }, /starttls: port 25: 7 is not one of/],
    [
      'a default not in the registry',
      { 25: 'smtp', default: 'tls' },
      /starttls: default: "tls" is not one of/,
    ],
  ])('refuses %s, naming it', (_, starttls, message) => {
    let caught: unknown;
    try {
      resolveScanOptions({ starttls: starttls as never });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScanOptionsError);
    expect((caught as ScanOptionsError).option).toBe('starttls');
    expect((caught as Error).message).toMatch(message);

    // In a job: a JobError on its scan options; in a jobs file: the file, the job and the field.
    const job = { name: 'mail', targets: { hosts: host, ports: 25 }, scan: { starttls } };
    expect(() => defineJob(job as never)).toThrow(JobError);
    let fileError: unknown;
    try {
      parseJobsFile(JSON.stringify({ jobs: [job] }), 'jobs.json');
    } catch (error) {
      fileError = error;
    }
    expect(fileError).toBeInstanceOf(JobsFileError);
    expect(fileError).toMatchObject({ job: 'mail', field: 'scan' });
    expect((fileError as Error).message).toMatch(
      /^jobs\.json: jobs\[0\]: job "mail": scan: starttls: /,
    );
    expect((fileError as Error).message).toMatch(message);
  });

  it('a map is kept as given, frozen: the caller changing it later changes nothing', () => {
    const map: Record<number, 'smtp' | 'none'> = { 2525: 'smtp' };
    const resolved = resolveScanOptions({ starttls: map });
    map[2525] = 'none';
    expect(resolved.starttls).toEqual({ 2525: 'smtp' });
    expect(Object.isFrozen(resolved.starttls)).toBe(true);
  });
});
