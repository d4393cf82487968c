// Differential test: certsweep and `openssl verify -purpose sslserver` must agree on
// valid/invalid for every chain of the zoo, except where certsweep is stricter on purpose
// (weak keys, weak signatures, partial wildcards, CAs without basicConstraints).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, verifyChain } from '../../src/index.js';
import { type OracleResult, opensslVerify } from '../helpers/verify-oracles.js';
import { buildZoo, type ZooCase } from './openssl-zoo.js';

const dir = mkdtempSync(join(tmpdir(), 'certsweep-zoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(zooCase: ZooCase, index: number): OracleResult {
  return opensslVerify({
    dir,
    name: String(index),
    leaf: (zooCase.sent[0] as ZooCase['sent'][number]).pem,
    intermediates: [...zooCase.sent.slice(1), ...(zooCase.extras ?? [])].map((c) => c.pem),
    trusted: zooCase.trusted.map((c) => c.pem),
    ...(zooCase.hostname ? { hostname: zooCase.hostname } : {}),
    ...(zooCase.at ? { at: zooCase.at } : {}),
    ...(zooCase.opensslFlags ? { flags: zooCase.opensslFlags } : {}),
  });
}

describe('verifyChain agrees with openssl verify', () => {
  const zoo = buildZoo();

  it('has cases OpenSSL accepts and cases it rejects', () => {
    const results = zoo.map((c, i) => openssl(c, i).ok);
    expect(results).toContain(true);
    expect(results).toContain(false);
  });

  for (const [index, zooCase] of zoo.entries()) {
    it(zooCase.name, () => {
      const reference = openssl(zooCase, index);
      const verdict = verifyChain(
        zooCase.sent.map((c) => c.der),
        {
          trust: TrustStore.fromCertificates(zooCase.trusted.map((c) => parseCertificate(c.der))),
          ...(zooCase.hostname ? { hostname: zooCase.hostname } : {}),
          ...(zooCase.at ? { at: zooCase.at } : {}),
          ...(zooCase.extras
            ? { extraIntermediates: zooCase.extras.map((c) => parseCertificate(c.der)) }
            : {}),
          cache: false,
        },
      );
      const detail = `openssl: ${reference.output.trim()}\ncertsweep: ${verdict.problems.map((p) => `${p.code}: ${p.message}`).join('; ')}`;
      if (zooCase.stricter) {
        // A deliberate disagreement: OpenSSL accepts, certsweep rejects for exactly this reason.
        expect(reference.ok, detail).toBe(true);
        expect(verdict.valid, detail).toBe(false);
        expect(
          verdict.problems
            .filter((p) => p.severity === 'error')
            .map((p) => p.code)
            .sort(),
          detail,
        ).toEqual([zooCase.stricter].flat().sort());
      } else if (zooCase.backtracks) {
        // OpenSSL takes the first issuer it finds and does not try the other cross-sign.
        expect(reference.ok, detail).toBe(false);
        expect(reference.output, detail).toMatch(zooCase.backtracks);
        expect(verdict.valid, detail).toBe(true);
      } else {
        expect(verdict.valid, detail).toBe(reference.ok);
      }
    });
  }
});
