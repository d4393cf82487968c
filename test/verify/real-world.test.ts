// Real certificate chains of public sites (leaf, intermediates, root), copied from public
// repositories' test data (sources in fixtures/real-world/README.md), each verified at a time
// inside every certificate's validity. Every one is a chain a browser accepted at that time:
// certsweep must accept it under both profiles, and so must `openssl verify` and
// pyca/cryptography's server verifier (each skipped, with a notice, where absent).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Certificate,
  type ChainVerdict,
  type Profile,
  parsePem,
  TrustStore,
  verifyChain,
} from '../../src/index.js';
import { type OracleResult, opensslVerify, pycaVerify } from '../helpers/verify-oracles.js';

interface RealChain {
  /** The PEM file: leaf first, root last. */
  file: string;
  hostname: string;
  /** Validation time, ISO 8601. */
  at: string;
  source: string;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'real-world');
const index = JSON.parse(readFileSync(join(FIXTURES, 'chains.json'), 'utf8')) as RealChain[];
const chains = index.map((entry) => {
  const pem = readFileSync(join(FIXTURES, entry.file), 'utf8');
  const certs = parsePem(pem);
  return {
    ...entry,
    pem,
    certs,
    root: certs[certs.length - 1] as Certificate,
    at: new Date(entry.at),
  };
});

const dir = mkdtempSync(join(tmpdir(), 'certsweep-real-world-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pemOf = (cert: Certificate) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(cert.der)
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

function verify(chain: (typeof chains)[number], profile: Profile, hostname = chain.hostname) {
  return verifyChain(chain.certs.slice(0, -1), {
    trust: TrustStore.fromCertificates([chain.root]),
    hostname,
    at: chain.at,
    cache: false,
    profile,
  });
}

const errorsOf = (verdict: ChainVerdict) =>
  verdict.problems.filter((p) => p.severity === 'error').map((p) => `${p.code}: ${p.message}`);

function opensslVersion(): string | undefined {
  const run = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

const chainOf = (chain: (typeof chains)[number]) => ({
  leaf: pemOf(chain.certs[0] as Certificate),
  intermediates: chain.certs.slice(1, -1).map(pemOf),
  trusted: [pemOf(chain.root)],
  hostname: chain.hostname,
  at: chain.at,
});

function openssl(chain: (typeof chains)[number]): OracleResult {
  return opensslVerify({ dir, name: chain.file, ...chainOf(chain) });
}

/** pyca/cryptography's verdict on every chain in one run, or why there is none. */
function pyca(): OracleResult[] | string {
  const answer = pycaVerify(chains.map(chainOf));
  if ('failed' in answer) return `python3 failed: ${answer.failed}`;
  return 'missing' in answer ? answer.missing : answer.results;
}

describe('real-world chains of public sites', () => {
  it('has at least 8 distinct chains, each timed inside every certificate it holds', () => {
    expect(new Set(chains.map((c) => c.hostname)).size).toBe(chains.length);
    expect(chains.length).toBeGreaterThanOrEqual(8);
    for (const chain of chains) {
      expect(chain.certs.length, chain.file).toBeGreaterThanOrEqual(2);
      for (const cert of chain.certs) {
        expect(cert.notBefore.getTime(), `${chain.file}: ${cert.subject.text}`).toBeLessThan(
          chain.at.getTime(),
        );
        expect(cert.notAfter.getTime(), `${chain.file}: ${cert.subject.text}`).toBeGreaterThan(
          chain.at.getTime(),
        );
      }
    }
  });

  for (const profile of ['webpki', 'rfc5280'] as const) {
    describe(`certsweep, profile ${profile}`, () => {
      for (const chain of chains) {
        it(`accepts ${chain.hostname} at ${chain.at.toISOString()}`, () => {
          const verdict = verify(chain, profile);
          const warnings = verdict.problems.filter((p) => p.severity === 'warning');
          if (warnings.length > 0) {
            console.log(
              `${chain.hostname} (${profile}) warnings:\n${warnings.map((p) => `  ${p.code}: ${p.message}`).join('\n')}`,
            );
          }
          expect(errorsOf(verdict)).toEqual([]);
          expect(verdict.valid).toBe(true);
          expect(verdict.path.map((c) => c.sha256Fingerprint)).toEqual(
            chain.certs.map((c) => c.sha256Fingerprint),
          );
        });
      }
    });
  }

  // The same chains must still fail where they should, or the test above proves nothing.
  describe('certsweep refuses the same chains where a browser would', () => {
    for (const chain of chains) {
      it(`${chain.hostname}: another name, a later date, no root`, () => {
        expect(errorsOf(verify(chain, 'webpki', 'certsweep-test.invalid'))).toEqual([
          expect.stringMatching(/^hostname-mismatch: /),
        ]);
        const leaf = chain.certs[0] as Certificate;
        const late = verifyChain(chain.certs.slice(0, -1), {
          trust: TrustStore.fromCertificates([chain.root]),
          hostname: chain.hostname,
          at: new Date(leaf.notAfter.getTime() + 1000),
          cache: false,
        });
        expect(late.valid).toBe(false);
        expect(late.problems.map((p) => p.code)).toContain('expired');
        const rootless = verifyChain(chain.certs.slice(0, -1), {
          trust: TrustStore.fromCertificates([]),
          hostname: chain.hostname,
          at: chain.at,
          cache: false,
        });
        expect(rootless.valid).toBe(false);
        expect(rootless.trusted).toBe(false);
      });
    }
  });

  const version = opensslVersion();
  if (!version) console.log('openssl differential skipped: openssl is not installed');
  describe.skipIf(!version)(`openssl verify agrees (${version ?? 'absent'})`, () => {
    for (const chain of chains) {
      it(`accepts ${chain.hostname}`, () => {
        const result = openssl(chain);
        expect(result.ok, result.output).toBe(true);
      });
    }
  });

  const pycaResults = pyca();
  if (typeof pycaResults === 'string') {
    console.log(`pyca/cryptography differential skipped: ${pycaResults}`);
  }
  describe.skipIf(typeof pycaResults === 'string')('pyca/cryptography agrees', () => {
    chains.forEach((chain, i) => {
      it(`accepts ${chain.hostname}`, () => {
        const result = (pycaResults as OracleResult[])[i];
        expect(result?.ok, result?.output).toBe(true);
      });
    });
  });
});
