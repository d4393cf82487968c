// Stapled OCSP responses through the command: real TLS servers on loopback staple responses
// made by OpenSSL's responder; scan and verify judge them and count a revoked chain as bad.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inventory, parseCertificate, sqliteStorage } from '../../src/index.js';
import type { Issued } from '../helpers/pki.js';
import { type Stapler, startNodeStapler } from '../helpers/staple-servers.js';
import { type Lab, revocationLab } from '../revocation/lab.js';
import { certsweep, schemaValidLines } from './run-cli.js';

const HOST = '127.64.0.1';
const REVOKED_AT = new Date('2026-01-02T03:04:05Z');
const directory = mkdtempSync(join(tmpdir(), 'certsweep-cli-revocation-'));
const rootPem = join(directory, 'root.pem');

describe('certsweep scan and verify with stapled OCSP responses', () => {
  let lab: Lab;
  let good: Issued;
  let revoked: Issued;
  let goodServer: Stapler;
  let revokedServer: Stapler;

  beforeAll(async () => {
    lab = await revocationLab();
    writeFileSync(rootPem, lab.root.pem);
    good = await lab.leaf({ subject: 'good.revocation.test', san: { ip: [HOST] } });
    revoked = await lab.leaf({ subject: 'revoked.revocation.test', san: { ip: [HOST] } });
    await lab.ca.revoke(revoked, { at: REVOKED_AT, reason: 'keyCompromise' });
    const staple = async (leaf: Issued) => lab.ca.respond(await lab.ca.request(leaf));
    goodServer = await startNodeStapler({ chain: [good], key: good }, await staple(good), {
      host: HOST,
    });
    revokedServer = await startNodeStapler(
      { chain: [revoked], key: revoked },
      await staple(revoked),
      {
        host: HOST,
      },
    );
  });
  afterAll(async () => {
    await Promise.all([goodServer?.close(), revokedServer?.close()]);
    await lab?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('reports what each staple says in the JSON lines, and exits 1 for the revoked chain', async () => {
    const run = await certsweep([
      'scan',
      HOST,
      '-p',
      `${goodServer.port},${revokedServer.port}`,
      '--trust',
      rootPem,
      '--jsonl',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = schemaValidLines(run.stdout);
    const at = (port: number) => lines.find((line) => line.target.port === port);
    expect(at(goodServer.port)?.verdict.valid).toBe(true);
    expect(at(goodServer.port)?.revocation).toMatchObject({
      status: 'good',
      certificates: [
        { sha256: parseCertificate(good.der).sha256Fingerprint, status: 'good', source: 'staple' },
      ],
    });
    expect(at(revokedServer.port)?.revocation).toMatchObject({
      status: 'revoked',
      certificates: [
        {
          status: 'revoked',
          source: 'staple',
          revokedAt: REVOKED_AT.toISOString(),
          reason: 'keyCompromise',
        },
      ],
    });
  });

  it('names the revocation in the table, records it, and explains it in verify', async () => {
    const path = join(directory, 'inventory.db');
    const table = await certsweep([
      'scan',
      HOST,
      '-p',
      `${goodServer.port},${revokedServer.port}`,
      '--trust',
      rootPem,
      '--store',
      `sqlite:${path}`,
    ]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(
      new RegExp(
        `revoked\\.revocation\\.test\\s+${HOST.replaceAll('.', '\\.')}:${revokedServer.port}\\s+\\S+\\s+revoked`,
      ),
    );
    expect(table.stdout).toContain('2 answered (1 valid, 1 invalid)');
    const inventory = await Inventory.open({ storage: sqliteStorage({ path }), readOnly: true });
    const record = await inventory.certificate(parseCertificate(revoked.der).sha256Fingerprint);
    await inventory.close();
    expect(record?.revocation).toMatchObject({ status: 'revoked', source: 'staple' });

    const verify = await certsweep(['verify', `${HOST}:${revokedServer.port}`, '--trust', rootPem]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('Revocation (stapled OCSP): revoked');
    expect(verify.stdout).toMatch(
      /revoked since 2026-01-02T03:04:05\.000Z \(keyCompromise\) {2}CN=revoked\.revocation\.test/,
    );
    expect(verify.stdout).toMatch(/Verdict: INVALID, revoked/);
    const fine = await certsweep(['verify', `${HOST}:${goodServer.port}`, '--trust', rootPem]);
    expect(fine.code).toBe(0);
    expect(fine.stdout).toContain('Revocation (stapled OCSP): good');
  });
});
