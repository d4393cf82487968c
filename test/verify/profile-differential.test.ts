// Differential test of the profile rules: every case of profile-cases.ts goes through
// `openssl verify -purpose sslserver` and pyca/cryptography's server verifier
// (cryptography.x509.verification, a CA/Browser Forum profile), and through verifyChain under
// both profiles. Agreement counts are printed; every deliberate difference is listed in
// DIFFERENCES (and in docs/verification.md), so a new disagreement, or a listed one that
// went away, fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Profile, parseCertificate, TrustStore, verifyChain } from '../../src/index.js';
import { type OracleResult, opensslVerify, pycaVerify } from '../helpers/verify-oracles.js';
import { buildProfileCases, type ProfileCase } from './profile-cases.js';

type Reference = 'openssl' | 'pyca';
type Verdicts = Record<Profile | Reference, boolean>;

/**
 * Where a reference and a profile disagree on purpose, by case name: the reference's verdict
 * (true: it accepts) on that case. Explained in docs/verification.md.
 */
const DIFFERENCES: Record<string, Partial<Record<`${Profile}-${Reference}`, boolean>>> = {
  // CA/Browser Forum rules: webpki rejects, as pyca does; rfc5280 accepts, as OpenSSL does.
  ...Object.fromEntries(
    [
      'leaf without key identifiers',
      'intermediate basicConstraints not critical',
      'leaf with cA=TRUE',
      'leaf with keyCertSign',
      'version 1 leaf',
      'intermediate with an empty subject',
      'leaf EKU critical',
      'leaf without SANs (CN only)',
      'SAN critical, subject not empty',
      'SAN not critical, subject empty',
      'serial -255',
      'CA certificate (pathLen 0, no keyCertSign) as the leaf under pathLen 0',
    ].map((name) => [name, { 'webpki-openssl': true, 'rfc5280-pyca': false }]),
  ),
  // OpenSSL looks for another issuer of a root whose AKI is not its SKI; certsweep warns.
  'root AKI not its own SKI': { 'webpki-openssl': false, 'rfc5280-openssl': false },
  // pyca ignores a critical SKI in a leaf; certsweep, like OpenSSL, does not process it.
  'leaf SKI critical': { 'webpki-pyca': true, 'rfc5280-pyca': true },
  // pyca matches *.com against www.com; certsweep never matches a wildcard over one label.
  'wildcard *.com': { 'webpki-pyca': true, 'rfc5280-pyca': true },
  // Browsers refuse wildcards over a public suffix; OpenSSL and pyca do not check.
  'wildcard *.co.uk': { 'webpki-openssl': true, 'webpki-pyca': true },
  // Chromium refuses serials over 20 octets; OpenSSL and pyca accept them.
  'serial of 21 octets': { 'webpki-openssl': true, 'webpki-pyca': true },
  // pyca does not judge a leaf's key encoding; OpenSSL and certsweep refuse explicit curves.
  'leaf key with explicit curve parameters': { 'webpki-pyca': true, 'rfc5280-pyca': true },
  // pyca does not process policyConstraints and refuses it when critical.
  'intermediate policyConstraints critical': { 'webpki-pyca': false, 'rfc5280-pyca': false },
  // Both refuse fractional seconds; certsweep reads them (CAs have issued such certificates).
  'notAfter with fractional seconds': {
    'webpki-openssl': false,
    'webpki-pyca': false,
    'rfc5280-openssl': false,
    'rfc5280-pyca': false,
  },
  // Both count self-issued intermediates against their depth limit; RFC 5280 does not.
  'two self-issued intermediates within maxDepth 3': {
    'webpki-openssl': false,
    'webpki-pyca': false,
    'rfc5280-openssl': false,
    'rfc5280-pyca': false,
  },
};

const cases = buildProfileCases();
const dir = mkdtempSync(join(tmpdir(), 'certsweep-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chainOf = (c: ProfileCase) => ({
  leaf: (c.sent[0] as ProfileCase['sent'][number]).pem,
  intermediates: c.sent.slice(1).map((t) => t.pem),
  trusted: c.trusted.map((t) => t.pem),
  hostname: c.hostname,
  ...(c.maxDepth ? { maxDepth: c.maxDepth } : {}),
});

function openssl(c: ProfileCase, index: number): OracleResult {
  return opensslVerify({ dir, name: String(index), ...chainOf(c) });
}

/** pyca's verdicts for every case in one run, or why there are none. */
function pyca(): OracleResult[] | string {
  const answer = pycaVerify(cases.map(chainOf));
  if ('failed' in answer) return `python3 failed: ${answer.failed}`;
  return 'missing' in answer ? answer.missing : answer.results;
}

function certsweep(c: ProfileCase, profile: Profile): boolean {
  return verifyChain(
    c.sent.map((issued) => issued.der),
    {
      trust: TrustStore.fromCertificates(c.trusted.map((t) => parseCertificate(t.der))),
      hostname: c.hostname,
      profile,
      cache: false,
      ...(c.maxDepth ? { maxDepth: c.maxDepth } : {}),
    },
  ).valid;
}

describe('profile rules agree with OpenSSL and pyca/cryptography, or differ on purpose', () => {
  const pycaResults = pyca();
  if (typeof pycaResults === 'string') {
    console.log(`pyca/cryptography differential skipped: ${pycaResults}`);
  }
  const table = cases.map((c, index) => {
    const reference = openssl(c, index);
    const py = typeof pycaResults === 'string' ? undefined : pycaResults[index];
    const verdicts: Partial<Verdicts> = {
      webpki: certsweep(c, 'webpki'),
      rfc5280: certsweep(c, 'rfc5280'),
      openssl: reference.ok,
    };
    if (py) verdicts.pyca = py.ok;
    return { c, verdicts, output: { openssl: reference.output.trim(), pyca: py?.output ?? '' } };
  });

  it('prints the agreement counts', () => {
    const lines: string[] = [];
    for (const profile of ['webpki', 'rfc5280'] as const) {
      for (const reference of ['openssl', 'pyca'] as const) {
        const judged = table.filter((row) => row.verdicts[reference] !== undefined);
        if (judged.length === 0) continue;
        const agree = judged.filter((row) => row.verdicts[profile] === row.verdicts[reference]);
        lines.push(`certsweep ${profile} vs ${reference}: ${agree.length}/${judged.length} agree`);
      }
    }
    console.log(`profile differential over ${table.length} cases:\n${lines.join('\n')}`);
    if (process.env.PROFILE_DIFFERENTIAL_TABLE) {
      for (const row of table) {
        const v = row.verdicts;
        console.log(
          `| ${row.c.name} | ${v.webpki} | ${v.rfc5280} | ${v.openssl} | ${v.pyca} | ${row.output.pyca.replace(/\s+/g, ' ').slice(0, 160)} |`,
        );
      }
    }
    expect(lines.length).toBeGreaterThan(0);
  });

  for (const { c, verdicts, output } of table) {
    it(c.name, () => {
      for (const profile of ['webpki', 'rfc5280'] as const) {
        for (const reference of ['openssl', 'pyca'] as const) {
          const theirs = verdicts[reference];
          if (theirs === undefined) continue;
          const listed = DIFFERENCES[c.name]?.[`${profile}-${reference}`];
          const detail = `${profile} vs ${reference}: ${output[reference]}`;
          if (listed === undefined) {
            expect(verdicts[profile], detail).toBe(theirs);
          } else {
            // A deliberate difference: the reference says `listed`, certsweep the opposite.
            expect(theirs, detail).toBe(listed);
            expect(verdicts[profile], detail).toBe(!listed);
          }
        }
      }
    });
  }
});
