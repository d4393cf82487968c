// Real certificate chains of public sites (leaf, intermediates, root), copied from public
// repositories' test data (sources in fixtures/real-world/README.md), each verified at a time
// inside every certificate's validity. Every one is a chain a browser accepted at that time:
// certsweep must accept it under both profiles, and so must `openssl verify` and
// pyca/cryptography's server verifier (each skipped, with a notice, where absent).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function openssl(chain: (typeof chains)[number]): { ok: boolean; output: string } {
  const base = join(dir, chain.file);
  const [leaf, ...rest] = chain.certs;
  const intermediates = rest.slice(0, -1);
  writeFileSync(`${base}.leaf`, pemOf(leaf as Certificate));
  writeFileSync(`${base}.root`, pemOf(chain.root));
  const args = ['verify', '-attime', String(Math.floor(chain.at.getTime() / 1000))];
  args.push('-purpose', 'sslserver', '-verify_hostname', chain.hostname, '-CAfile', `${base}.root`);
  if (intermediates.length > 0) {
    writeFileSync(`${base}.untrusted`, intermediates.map(pemOf).join(''));
    args.push('-untrusted', `${base}.untrusted`);
  }
  args.push(`${base}.leaf`);
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const PYCA = `
import sys, json, datetime
try:
    import cryptography
    from cryptography import x509
    from cryptography.x509.verification import PolicyBuilder, Store, DNSName
except ImportError as error:
    print(json.dumps({"missing": str(error)})); sys.exit(0)
if int(cryptography.__version__.split(".")[0]) < 42:
    print(json.dumps({"missing": "cryptography " + cryptography.__version__ + " < 42"})); sys.exit(0)
out = []
for case in json.load(sys.stdin):
    try:
        certs = [x509.load_pem_x509_certificate(pem.encode()) for pem in case["chain"]]
        at = datetime.datetime.fromtimestamp(case["at"], datetime.timezone.utc)
        builder = PolicyBuilder().store(Store([certs[-1]])).time(at)
        builder.build_server_verifier(DNSName(case["hostname"])).verify(certs[0], certs[1:-1])
        out.append({"ok": True, "output": ""})
    except Exception as error:
        out.append({"ok": False, "output": type(error).__name__ + ": " + str(error)})
print(json.dumps({"results": out, "version": cryptography.__version__}))
`;

/** pyca/cryptography's verdict on every chain in one run, or why there is none. */
function pyca(): { ok: boolean; output: string }[] | string {
  const input = chains.map((c) => ({
    chain: c.certs.map(pemOf),
    hostname: c.hostname,
    at: c.at.getTime() / 1000,
  }));
  const run = spawnSync('python3', ['-c', PYCA], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  if (run.error) return `python3 is not available (${run.error.message})`;
  if (run.status !== 0) return `python3 failed: ${run.stderr}`;
  const answer = JSON.parse(run.stdout) as {
    missing?: string;
    results?: { ok: boolean; output: string }[];
  };
  return answer.missing ?? (answer.results as { ok: boolean; output: string }[]);
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
        const result = (pycaResults as { ok: boolean; output: string }[])[i];
        expect(result?.ok, result?.output).toBe(true);
      });
    });
  });
});
