// Differential test of the name-constraint cases: certsweep, `openssl verify` and
// pyca/cryptography 48 must reach the same valid/invalid decision, except where a case lists
// the deliberate difference (docs/verification.md). pyca is skipped, with a notice, when
// python3 or cryptography 48 is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, verifyChain } from '../../src/index.js';
import { type OracleResult, opensslVerify, pycaVerify } from '../helpers/verify-oracles.js';
import { buildNameConstraintCases, type NameConstraintCase } from './name-constraints-cases.js';

const cases = buildNameConstraintCases();
const dir = mkdtempSync(join(tmpdir(), 'certsweep-nc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function certsweep(c: NameConstraintCase): boolean {
  return verifyChain(
    c.sent.map((cert) => cert.der),
    {
      trust: TrustStore.fromCertificates(c.trusted.map((cert) => parseCertificate(cert.der))),
      hostname: c.hostname,
      ...(c.profile ? { profile: c.profile } : {}),
      cache: false,
    },
  ).valid;
}

const chainOf = (c: NameConstraintCase) => ({
  leaf: (c.sent[0] as NameConstraintCase['sent'][number]).pem,
  intermediates: c.sent.slice(1).map((cert) => cert.pem),
  trusted: c.trusted.map((cert) => cert.pem),
  hostname: c.hostname,
});

function openssl(c: NameConstraintCase, index: number): OracleResult {
  return opensslVerify({ dir, name: String(index), ...chainOf(c) });
}

/** pyca's decisions for every case, or why they are not available. */
function pyca(): OracleResult[] | string {
  const answer = pycaVerify(cases.map(chainOf));
  if ('failed' in answer) throw new Error(`the pyca script failed: ${answer.failed}`);
  if (answer.version === undefined) return 'python3 with cryptography is not installed';
  if ('missing' in answer || !answer.version.startsWith('48.')) {
    return `cryptography ${answer.version} is not 48`;
  }
  return answer.results;
}

describe('name constraints agree with openssl verify', () => {
  for (const [index, c] of cases.entries()) {
    it(c.name, () => {
      const reference = openssl(c, index);
      const expected = c.openssl ? !reference.ok : reference.ok;
      expect(
        certsweep(c),
        `openssl: ${reference.output.trim()}${c.openssl ? ` (differs: ${c.openssl})` : ''}`,
      ).toBe(expected);
    });
  }
});

const pycaResults = pyca();
if (typeof pycaResults === 'string') {
  console.log(`skipping the pyca/cryptography differential test: ${pycaResults}`);
}

describe.skipIf(typeof pycaResults === 'string')(
  'name constraints agree with pyca/cryptography 48',
  () => {
    for (const [index, c] of cases.entries()) {
      it(c.name, () => {
        const reference = (pycaResults as OracleResult[])[index] as OracleResult;
        const expected = c.pyca ? !reference.ok : reference.ok;
        expect(
          certsweep(c),
          `pyca: ${reference.output}${c.pyca ? ` (differs: ${c.pyca})` : ''}`,
        ).toBe(expected);
      });
    }
  },
);
