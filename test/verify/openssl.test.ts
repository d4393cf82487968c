// Differential test: certsweep and `openssl verify -purpose sslserver` must agree on
// valid/invalid for every chain of the zoo, except where certsweep is stricter on purpose
// (weak keys, weak signatures, partial wildcards, CAs without basicConstraints).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, verifyChain } from '../../src/index.js';
import { pemBundle } from '../helpers/pki.js';
import { buildZoo, type ZooCase } from './openssl-zoo.js';

const dir = mkdtempSync(join(tmpdir(), 'certsweep-zoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(zooCase: ZooCase, index: number): { ok: boolean; output: string } {
  const file = (name: string, text: string) => {
    const path = join(dir, `${index}-${name}.pem`);
    writeFileSync(path, text);
    return path;
  };
  const [leaf, ...rest] = zooCase.sent;
  const untrusted = [...rest, ...(zooCase.extras ?? [])];
  const args = [
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    file('trusted', pemBundle(...zooCase.trusted)),
  ];
  if (untrusted.length > 0) args.push('-untrusted', file('untrusted', pemBundle(...untrusted)));
  if (zooCase.hostname) {
    args.push(isIP(zooCase.hostname) ? '-verify_ip' : '-verify_hostname', zooCase.hostname);
  }
  if (zooCase.at) args.push('-attime', String(Math.floor(zooCase.at.getTime() / 1000)));
  args.push(
    ...(zooCase.opensslFlags ?? []),
    file('leaf', pemBundle(leaf as ZooCase['sent'][number])),
  );
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
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
