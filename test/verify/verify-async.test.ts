// verifyAsync() against verify(): the same verdict on every chain the other verification
// tests mint (the OpenSSL zoo, the profile rules' cases, the name constraints' cases), one
// at a time and all at once, with caches and without.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  type ChainVerdict,
  type ChainVerifyOptions,
  createVerifier,
  parseCertificate,
  TrustStore,
  type Verifier,
  VerifyOptionsError,
} from '../../src/index.js';
import {
  createChain,
  createIntermediate,
  createLeaf,
  createRoot,
  type Issued,
} from '../helpers/pki.js';
import { buildNameConstraintCases } from './name-constraints-cases.js';
import { buildZoo } from './openssl-zoo.js';
import { buildProfileCases } from './profile-cases.js';

interface Case {
  name: string;
  sent: Uint8Array[];
  trust: TrustStore;
  options: ChainVerifyOptions;
  profile?: 'webpki' | 'rfc5280';
  maxDepth?: number;
}

const trustOf = (trusted: Issued[]) =>
  TrustStore.fromCertificates(trusted.map((c) => parseCertificate(c.der)));

function allCases(): Case[] {
  const zoo = buildZoo().map((c) => ({
    name: `zoo: ${c.name}`,
    sent: c.sent.map((s) => s.der),
    trust: trustOf(c.trusted),
    options: {
      ...(c.hostname ? { hostname: c.hostname } : {}),
      ...(c.at ? { at: c.at } : {}),
      ...(c.extras ? { extraIntermediates: c.extras.map((e) => parseCertificate(e.der)) } : {}),
    },
  }));
  const profile = buildProfileCases().flatMap((c) =>
    (['webpki', 'rfc5280'] as const).map((name) => ({
      name: `profile ${name}: ${c.name}`,
      sent: c.sent.map((s) => s.der),
      trust: trustOf(c.trusted),
      options: { hostname: c.hostname },
      profile: name,
      ...(c.maxDepth ? { maxDepth: c.maxDepth } : {}),
    })),
  );
  const constraints = buildNameConstraintCases().map((c) => ({
    name: `name constraints: ${c.name}`,
    sent: c.sent.map((s) => s.der),
    trust: trustOf(c.trusted),
    options: { hostname: c.hostname },
    ...(c.profile ? { profile: c.profile } : {}),
  }));
  return [...zoo, ...profile, ...constraints];
}

/** A verdict as plain data: certificates by fingerprint. */
function shape(verdict: ChainVerdict) {
  return {
    valid: verdict.valid,
    trusted: verdict.trusted,
    path: verdict.path.map((cert) => cert.sha256Fingerprint),
    problems: verdict.problems.map((p) => ({
      code: p.code,
      severity: p.severity,
      certificate: p.certificate?.sha256Fingerprint,
      message: p.message,
    })),
    expiresAt: verdict.expiresAt?.getTime(),
  };
}

const cases = allCases();
// One validation time for both ways, so a boundary passing between them changes nothing.
const at = new Date();
const optionsOf = (c: Case): ChainVerifyOptions => ({ at, ...c.options });
const verifierOf = (
  c: Case,
  cache: false | undefined,
  verifiers: Map<string, Verifier>,
  threads = 0,
) => {
  const key = `${cases.indexOf(c)}`;
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = createVerifier({
      trust: c.trust,
      threads,
      ...(c.profile ? { profile: c.profile } : {}),
      ...(c.maxDepth ? { maxDepth: c.maxDepth } : {}),
      ...(cache === false ? { cache } : {}),
    });
    verifiers.set(key, verifier);
  }
  return verifier;
};

describe('verifyAsync gives the verdicts of verify', () => {
  it('has valid and invalid cases of every kind', () => {
    const verdicts = cases.map((c) => verifierOf(c, false, new Map()).verify(c.sent, optionsOf(c)));
    expect(verdicts.filter((v) => v.valid).length).toBeGreaterThan(20);
    expect(verdicts.filter((v) => !v.valid).length).toBeGreaterThan(20);
    const codes = new Set(verdicts.flatMap((v) => v.problems.map((p) => p.code)));
    for (const code of ['bad-signature', 'untrusted-root', 'incomplete-chain', 'self-signed']) {
      expect(codes).toContain(code);
    }
  });

  for (const cache of [false, undefined] as const) {
    it(`on every minted case, all in flight at once (${cache === false ? 'no cache' : 'caches'})`, async () => {
      const syncVerifiers = new Map<string, Verifier>();
      const asyncVerifiers = new Map<string, Verifier>();
      const expected = cases.map((c) =>
        shape(verifierOf(c, cache, syncVerifiers).verify(c.sent, optionsOf(c))),
      );
      const got = await Promise.all(
        cases.map(async (c) =>
          shape(await verifierOf(c, cache, asyncVerifiers).verifyAsync(c.sent, optionsOf(c))),
        ),
      );
      for (const [i, c] of cases.entries()) expect(got[i], c.name).toEqual(expected[i]);
    });
  }

  // Each verifier starts a thread of its own: the zoo's cases are enough to cover every path
  // the worker threads take (keys imported there, keys handed over, keys that do not import).
  it('with threads of its own, on the OpenSSL zoo', async () => {
    const zoo = cases.filter((c) => c.name.startsWith('zoo: '));
    const syncVerifiers = new Map<string, Verifier>();
    const asyncVerifiers = new Map<string, Verifier>();
    const expected = zoo.map((c) =>
      shape(verifierOf(c, undefined, syncVerifiers).verify(c.sent, optionsOf(c))),
    );
    const got = await Promise.all(
      zoo.map(async (c) =>
        shape(await verifierOf(c, undefined, asyncVerifiers, 1).verifyAsync(c.sent, optionsOf(c))),
      ),
    );
    for (const [i, c] of zoo.entries()) expect(got[i], c.name).toEqual(expected[i]);
  }, 30_000);

  for (const threads of [0, 2]) {
    it(`one verifier, many distinct chains at once, then again from its caches (${threads} threads)`, async () => {
      const { root, intermediate, leaf } = createChain('async.test');
      const leaves = [leaf, ...Array.from({ length: 40 }, () => createLeaf(intermediate))];
      const trust = TrustStore.fromPem(root.pem);
      const sync = createVerifier({ trust });
      const verifier = createVerifier({ trust, threads });
      const chains = leaves.map((l) => [l.der, intermediate.der]);
      const expected = chains.map((chain) =>
        shape(sync.verify(chain, { at, hostname: 'async.test' })),
      );
      const first = await Promise.all(
        chains.map((chain) => verifier.verifyAsync(chain, { at, hostname: 'async.test' })),
      );
      expect(first.map(shape)).toEqual(expected);
      // The same entries as the synchronous way: every certificate, signature and key is kept.
      expect(verifier.cacheSizes()).toEqual(sync.cacheSizes());
      const again = await Promise.all(
        chains.map((chain) => verifier.verifyAsync(chain, { at, hostname: 'async.test' })),
      );
      for (const [i, verdict] of again.entries()) expect(verdict).toBe(first[i]);
    });
  }

  it('rejects bad options with errors naming them', async () => {
    const { root, leaf } = createChain('async.test');
    const verifier = createVerifier({ trust: TrustStore.fromPem(root.pem) });
    await expect(verifier.verifyAsync([leaf.der], { at: new Date('x') })).rejects.toThrow(
      VerifyOptionsError,
    );
    await expect(
      verifier.verifyAsync([leaf.der], null as unknown as ChainVerifyOptions),
    ).rejects.toThrow(/verifyAsync: options must be an object/);
    expect((await verifier.verifyAsync([])).problems.map((p) => p.code)).toEqual([
      'no-certificate',
    ]);
    for (const threads of [-1, 1.5, 65, '2']) {
      expect(() => createVerifier({ trust: verifier.trust, threads: threads as number })).toThrow(
        /createVerifier: threads must be a whole number from 0 to 64/,
      );
    }
  });
});

describe('verifyAsync on every kind of issuer key', () => {
  // Keys imported from JWK (EC on named JWK curves, RSA) and from DER (P-224, DSA), signatures
  // with each hash the helper signs with, and one that does not verify.
  const specs = ['ec256', 'ec384', 'ec521', 'ec224', 'rsa2048', 'dsa2048'] as const;
  const hashes = ['sha256', 'sha384', 'sha512', 'sha1'] as const;
  const kinds = specs.flatMap((key) =>
    (key === 'dsa2048' ? (['sha256'] as const) : hashes).map((hash) => {
      const root = createRoot({ key });
      const intermediate = createIntermediate(root, { key, hash });
      const leaf = createLeaf(intermediate, { subject: 'keys.test', hash });
      const chain: Uint8Array[] = [leaf.der, intermediate.der];
      return { name: `${key}, ${hash}`, root, chain };
    }),
  );
  // A byte of the leaf's serial number changed: still well-formed, no longer what was signed.
  const forged = { ...(kinds[0] as (typeof kinds)[number]), name: 'a leaf changed after signing' };
  const changed = Uint8Array.from(forged.chain[0] as Uint8Array);
  changed[17] = (changed[17] as number) ^ 0x01;
  forged.chain = [changed, forged.chain[1] as Uint8Array];

  for (const threads of [0, 1]) {
    it(`gives verify()'s verdicts (${threads} threads)`, async () => {
      const all = [...kinds, forged];
      const verdicts = await Promise.all(
        all.map(async ({ root, chain }) => {
          const trust = TrustStore.fromPem(root.pem);
          const expected = createVerifier({ trust }).verify(chain, { at, hostname: 'keys.test' });
          const got = await createVerifier({ trust, threads }).verifyAsync(chain, {
            at,
            hostname: 'keys.test',
          });
          return { expected: shape(expected), got: shape(got) };
        }),
      );
      for (const [i, { expected, got }] of verdicts.entries()) {
        expect(got, all[i]?.name).toEqual(expected);
      }
      expect(verdicts.some((v) => v.got.problems.some((p) => p.code === 'bad-signature'))).toBe(
        true,
      );
      expect(verdicts.filter((v) => v.got.trusted).length).toBeGreaterThan(10);
    }, 60_000);
  }
});

describe('the verifier’s threads in a process of their own', () => {
  it('a process verifying with threads gets its verdict and then ends by itself', async () => {
    const { root, intermediate, leaf } = createChain('process.test');
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    // Nothing else holds the event loop: the process must neither end before the verdict (an
    // unsettled top-level await, exit code 13) nor be held open by idle threads forever.
    const script = `
      const { createVerifier, TrustStore } = await import(${JSON.stringify(dist)});
      const trust = TrustStore.fromPem(process.env.ROOT_PEM);
      const verifier = createVerifier({ trust, threads: 2 });
      const chain = [process.env.LEAF, process.env.INTERMEDIATE].map((b) => Buffer.from(b, 'base64'));
      const verdict = await verifier.verifyAsync(chain, { hostname: 'process.test' });
      console.log(JSON.stringify({ valid: verdict.valid, keys: verifier.cacheSizes().keys }));
    `;
    const finished = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          {
            env: {
              ...process.env,
              ROOT_PEM: root.pem,
              LEAF: Buffer.from(leaf.der).toString('base64'),
              INTERMEDIATE: Buffer.from(intermediate.der).toString('base64'),
            },
            timeout: 60_000,
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      },
    );
    expect(finished.stderr).toBe('');
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout)).toEqual({ valid: true, keys: 2 });
  });
});
