// A server that sends junk for its certificate: the check says what it is (not "expired on
// 1970-01-01") and the metrics show it, escaped for the format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/jobs/index.js';
import { checkExpiry, formatNagios, formatPrometheus } from '../../src/monitor/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { fingerprint } from '../../src/x509/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { JUNK_CERTIFICATE, startJunkCertificateServer } from '../helpers/junk-certificate.js';
import { Inventory, memoryStorage } from './fixtures.js';

const serving = farm.defaultServing();
const trust = TrustStore.fromPem(serving.root.pem);
let junk: farm.Running;
let inventory: Inventory;
const start = closedAfterAll();

beforeAll(async () => {
  junk = await start(startJunkCertificateServer({ host: '127.23.6.1' }));
  inventory = await Inventory.open({ storage: memoryStorage() });
  await runJob(
    { name: 'junk', targets: { hosts: '127.23.6.1', ports: junk.port } },
    { inventory, trust, mode: 'full' },
  );
});
afterAll(() => inventory.close());

describe('monitoring a certificate that could not be parsed', () => {
  it('checkExpiry: CRITICAL, because it could not be parsed, not because it expired', async () => {
    const check = await checkExpiry(inventory, { address: '127.23.6.1', port: junk.port });
    expect(check.state).toBe('CRITICAL');
    expect(check.summary).toMatch(/certificate could not be parsed: /);
    expect(check.summary).not.toMatch(/expired|1970/);
    const [target] = check.targets;
    expect(target?.chain[0]?.parseError).toMatch(/\S/);
    expect(target?.reasons.join('; ')).not.toMatch(/1970/);
    expect(target?.problems).toEqual(['unparseable-certificate']);
  });

  it('formatNagios: CRITICAL "certificate could not be parsed", no perfdata for it', async () => {
    const check = await checkExpiry(inventory, { address: '127.23.6.1' });
    const { output, exitCode } = formatNagios(check);
    expect(exitCode).toBe(2);
    const [first] = output.split('\n');
    expect(first).toMatch(/^CERTSWEEP CRITICAL - \S+ certificate could not be parsed: /);
    expect(first).not.toContain('|');
    expect(output).not.toMatch(/1970/);
  });

  it('a check by fingerprint says the same', async () => {
    const check = await checkExpiry(inventory, { fingerprint: fingerprint(JUNK_CERTIFICATE) });
    expect(check.state).toBe('CRITICAL');
    expect(check.summary).toMatch(/^certificate could not be parsed: /);
  });

  it('formatPrometheus: a certsweep_cert_unparseable series, no expiry in 1970', async () => {
    const text = await formatPrometheus(inventory);
    const fp = fingerprint(JUNK_CERTIFICATE);
    const lines = text.split('\n').filter((line) => line.includes(fp));
    expect(lines).toHaveLength(1);
    // A label value is quoted, with backslash, quote and line feed escaped.
    expect(lines[0]).toMatch(
      new RegExp(
        `^certsweep_cert_unparseable\\{fingerprint="${fp}",reason="(?:[^"\\\\\\n]|\\\\[\\\\"n])+"\\} 1$`,
      ),
    );
    expect(text).toMatch(/^certsweep_chain_valid\{zone="default",address="127\.23\.6\.1",.*\} 0$/m);
    expect(text).not.toMatch(/^certsweep_cert_not_after_seconds\{.*\} 0$/m);
  });
});
