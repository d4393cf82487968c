// Differential test of the name-constraint cases: certsweep, `openssl verify` and
// pyca/cryptography 48 must reach the same valid/invalid decision, except where a case lists
// the deliberate difference (docs/verification.md). pyca is skipped, with a notice, when
// python3 or cryptography 48 is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, TrustStore, verifyChain } from '../../src/index.js';
import { pemBundle } from '../helpers/pki.js';
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

function openssl(c: NameConstraintCase, index: number): { ok: boolean; output: string } {
  const file = (name: string, text: string) => {
    const path = join(dir, `${index}-${name}.pem`);
    writeFileSync(path, text);
    return path;
  };
  const [leaf, ...rest] = c.sent;
  const args = [
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    file('trusted', pemBundle(...c.trusted)),
  ];
  if (rest.length > 0) args.push('-untrusted', file('untrusted', pemBundle(...rest)));
  args.push(isIP(c.hostname) ? '-verify_ip' : '-verify_hostname', c.hostname);
  args.push(file('leaf', pemBundle(leaf as NameConstraintCase['sent'][number])));
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const PYCA = `
import datetime, ipaddress, json, sys
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store
out = []
for c in json.load(sys.stdin):
    try:
        load = lambda pem: x509.load_pem_x509_certificate(pem.encode())
        store = Store([load(p) for p in c["trusted"]])
        try:
            name = x509.IPAddress(ipaddress.ip_address(c["hostname"]))
        except ValueError:
            name = x509.DNSName(c["hostname"])
        verifier = (PolicyBuilder().store(store)
            .time(datetime.datetime.now(datetime.timezone.utc))
            .build_server_verifier(name))
        verifier.verify(load(c["sent"][0]), [load(p) for p in c["sent"][1:]])
        out.append({"ok": True, "output": ""})
    except Exception as error:
        out.append({"ok": False, "output": f"{type(error).__name__}: {error}"})
print(json.dumps(out))
`;

/** pyca's decisions for every case, or why they are not available. */
function pyca(): { ok: boolean; output: string }[] | string {
  const version = spawnSync(
    'python3',
    ['-c', 'import cryptography; print(cryptography.__version__)'],
    {
      encoding: 'utf8',
    },
  );
  if (version.status !== 0) return 'python3 with cryptography is not installed';
  if (!version.stdout.startsWith('48.')) return `cryptography ${version.stdout.trim()} is not 48`;
  const input = cases.map((c) => ({
    sent: c.sent.map((cert) => cert.pem),
    trusted: c.trusted.map((cert) => cert.pem),
    hostname: c.hostname,
  }));
  const run = spawnSync('python3', ['-c', PYCA], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the pyca script failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { ok: boolean; output: string }[];
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
        const reference = (pycaResults as { ok: boolean; output: string }[])[index] as {
          ok: boolean;
          output: string;
        };
        const expected = c.pyca ? !reference.ok : reference.ok;
        expect(
          certsweep(c),
          `pyca: ${reference.output}${c.pyca ? ` (differs: ${c.pyca})` : ''}`,
        ).toBe(expected);
      });
    }
  },
);
