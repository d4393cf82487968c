// Name-constraint cost and strict-DER parse speed:
// - one verification of a leaf with 2,048 DNS SANs under an intermediate with 2,048 permitted
//   DNS subtrees (4.2 million comparisons: refused as name-constraints-too-complex), next to
//   `openssl verify` and pyca/cryptography on the same chain;
// - with CERTSWEEP_BASELINE, the same chain through that checkout's verifyChain;
// - one verification at the budget (500 SANs x 500 subtrees = 250,000 comparisons, made and
//   accepted): the most a chain can cost;
// - full parses of real certificates (Node's root store) and minted leaves with this
//   reader, and, when CERTSWEEP_BASELINE names another checkout (e.g. /work/main, before the
//   strict reader), with that checkout's reader in the same process, rounds interleaved.
// Run: npm run bench -- name-constraints
//      CERTSWEEP_BASELINE=../main npm run bench -- name-constraints
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { parseCertificate, TrustStore, verifyChain } from '../src/index.js';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  generateKey,
  type Issued,
} from '../test/helpers/pki.js';
import { nameConstraintsExtension } from '../test/helpers/pki-names.js';

const ROUNDS = 7;
const PARSES_PER_ROUND = 20_000;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function constrainedChain(root: Issued, count: number): { leaf: Issued; ca: Issued } {
  const names = Array.from({ length: count }, (_, i) => `h${i}.example.test`);
  const ca = createIntermediate(root, {
    extensions: [nameConstraintsExtension({ permitted: names.map((dns) => ({ dns })) })],
  });
  const leaf = createLeaf(ca, { subject: 'h0.example.test', san: { dns: names } });
  return { leaf, ca };
}

/** The part of the package a verification needs: this tree's, or a baseline checkout's. */
interface Library {
  parseCertificate: (der: Uint8Array) => unknown;
  TrustStore: { fromCertificates(certs: unknown[]): unknown };
  verifyChain: (chain: unknown[], options: object) => { problems: readonly { code: string }[] };
}

const THIS_TREE = { parseCertificate, TrustStore, verifyChain } as unknown as Library;

/** Median milliseconds of one verification, and the problem codes it gave. */
function timeVerify(
  root: Issued,
  chain: { leaf: Issued; ca: Issued },
  library: Library = THIS_TREE,
  runs = 11,
) {
  const trust = library.TrustStore.fromCertificates([library.parseCertificate(root.der)]);
  const sent = [library.parseCertificate(chain.leaf.der), library.parseCertificate(chain.ca.der)];
  const times: number[] = [];
  let codes: string[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const verdict = library.verifyChain(sent, { trust, cache: false, hostname: 'h0.example.test' });
    times.push(ms(start));
    codes = verdict.problems.map((p) => p.code);
  }
  return { ms: median(times), codes };
}

function peers(dir: string, root: Issued, chain: { leaf: Issued; ca: Issued }): string[] {
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const lines: string[] = [];
  const args = [
    'verify',
    '-purpose',
    'sslserver',
    '-verify_hostname',
    'h0.example.test',
    '-CAfile',
    file('root.pem', root.pem),
    '-untrusted',
    file('ca.pem', chain.ca.pem),
    file('leaf.pem', chain.leaf.pem),
  ];
  const start = process.hrtime.bigint();
  let outcome: string;
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
    outcome = 'OK';
  } catch (error) {
    outcome =
      String((error as { stdout?: Buffer }).stdout ?? '')
        .split('\n')
        .find((l) => l.startsWith('error')) ?? 'rejected';
  }
  lines.push(
    `  openssl verify (one process, start-up included)  ${ms(start).toFixed(1)} ms: ${outcome}`,
  );
  const script = `
import datetime, sys, time
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store
root, ca, leaf = (x509.load_pem_x509_certificate(open(p, "rb").read()) for p in sys.argv[1:4])
verifier = PolicyBuilder().store(Store([root])).time(datetime.datetime.now(datetime.timezone.utc)).build_server_verifier(x509.DNSName("h0.example.test"))
times = []
for _ in range(5):
    start = time.perf_counter()
    try:
        verifier.verify(leaf, [ca]); outcome = "OK"
    except Exception as error:
        outcome = str(error)[:90]
    times.append((time.perf_counter() - start) * 1000)
print(f"{sorted(times)[2]:.1f} ms: {outcome}")
`;
  const run = spawnSync(
    'python3',
    ['-c', script, join(dir, 'root.pem'), join(dir, 'ca.pem'), join(dir, 'leaf.pem')],
    { encoding: 'utf8' },
  );
  lines.push(
    run.status === 0
      ? `  pyca/cryptography verify (in process, median of 5) ${run.stdout.trim()}`
      : '  pyca/cryptography: not available (python3 with cryptography missing)',
  );
  return lines;
}

type Parse = (der: Uint8Array) => unknown;

/** Parses per CPU-second: on a shared machine, wall time also counts waiting for a core. */
function parseRate(parse: Parse, corpus: Uint8Array[]): number {
  const start = process.cpuUsage();
  for (let i = 0; i < PARSES_PER_ROUND; i++) parse(corpus[i % corpus.length] as Uint8Array);
  const used = process.cpuUsage(start);
  return PARSES_PER_ROUND / ((used.user + used.system) / 1e6);
}

/** Prints the name-constraint costs and the parse rates. */
export async function runNameConstraintsBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-bench-nc-'));
  try {
    const root = createRoot({ subject: 'Bench NC Root' });
    const huge = constrainedChain(root, 2048);
    const atBudget = constrainedChain(root, 500);
    console.log('name-constraints: one verification, median of 11 (cache off)');
    const h = timeVerify(root, huge);
    console.log(
      `  2,048 SANs x 2,048 subtrees (certsweep)           ${h.ms.toFixed(2)} ms: ${h.codes.join(', ') || 'valid'}`,
    );
    for (const line of peers(dir, root, huge)) console.log(line);
    const baselineDir = process.env.CERTSWEEP_BASELINE;
    if (baselineDir) {
      const before = (await import(resolve(baselineDir, 'src/index.ts'))) as Library;
      const t = timeVerify(root, huge, before, 3);
      console.log(
        `  the same chain, verifyChain of ${baselineDir} (median of 3) ${t.ms.toFixed(0)} ms: ${t.codes.join(', ') || 'valid'}`,
      );
    }
    const b = timeVerify(root, atBudget);
    console.log(
      `  500 SANs x 500 subtrees, 250,000 comparisons     ${b.ms.toFixed(2)} ms: ${b.codes.join(', ') || 'valid'}`,
    );

    const key = generateKey();
    const intermediate = createIntermediate(root);
    const minted = Array.from(
      { length: 1000 },
      (_, i) =>
        createLeaf(intermediate, {
          keyPair: key,
          subject: `www${i}.bench.test`,
          san: { dns: [`www${i}.bench.test`, `alt${i}.bench.test`], ip: ['192.0.2.1'] },
          aia: { ocsp: ['http://ocsp.bench.test'] },
          scts: true,
        }).der,
    );
    const real = rootCertificates.map((pem) =>
      Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'),
    );
    const readers: [string, Parse][] = [
      ['strict reader (this tree)', (der) => parseCertificate(der)],
    ];
    const baseline = baselineDir;
    if (baseline) {
      const module = (await import(resolve(baseline, 'src/x509/parse.ts'))) as {
        parseCertificate: Parse;
      };
      readers.push([`reader of ${baseline}`, (der) => module.parseCertificate(der)]);
    }
    for (const [name, corpus] of [
      [`${real.length} real roots (Node's store)`, real],
      ['1,000 minted EC leaves', minted],
    ] as const) {
      const rates = readers.map(() => [] as number[]);
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so neither always runs on a cooler cache.
        const order = round % 2 === 0 ? readers.keys() : [...readers.keys()].reverse();
        for (const i of order)
          rates[i]?.push(parseRate((readers[i] as [string, Parse])[1], corpus));
      }
      console.log(
        `parse, ${name}: ${PARSES_PER_ROUND.toLocaleString('en')} parses per round, median of ${ROUNDS} interleaved rounds`,
      );
      readers.forEach(([label], i) => {
        console.log(
          `  ${label.padEnd(40)} ${Math.round(median(rates[i] ?? [])).toLocaleString('en')} parses per CPU-second`,
        );
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
