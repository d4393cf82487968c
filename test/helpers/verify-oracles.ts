// The two reference verifiers the differential tests compare certsweep with: `openssl verify`
// and pyca/cryptography's server verifier. Both take PEM text and answer accept or refuse,
// with the reference's own words for why.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** A reference's decision on one chain: `ok` when it accepts; `output` is what it said. */
export interface OracleResult {
  ok: boolean;
  output: string;
}

/** One chain for a reference verifier, as PEM text. */
export interface OracleChain {
  /** The leaf certificate. */
  leaf: string;
  /** Certificates sent with the leaf, not trusted; default none. */
  intermediates?: string[];
  /** The trust anchors. */
  trusted: string[];
  /** The name to check: an IP address is checked as one, anything else as a DNS name. */
  hostname?: string;
  /** Validation time; default now. */
  at?: Date;
  /** certsweep's `maxDepth` (certificates in the path, leaf and root included); default none. */
  maxDepth?: number;
}

/** The references count only the intermediates against the depth limit. */
const intermediateDepth = (maxDepth: number | undefined) => (maxDepth ? maxDepth - 2 : undefined);

/**
 * `openssl verify -purpose sslserver` on one chain. The PEM files are written to `dir`, named
 * after `name` (which must be unique among the chains sharing `dir`); `flags` go before the leaf.
 */
export function opensslVerify(
  options: OracleChain & { dir: string; name: string; flags?: string[] },
): OracleResult {
  const file = (part: string, text: string) => {
    const path = join(options.dir, `${options.name}-${part}.pem`);
    writeFileSync(path, text);
    return path;
  };
  const intermediates = options.intermediates ?? [];
  const args = [
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    file('trusted', options.trusted.join('')),
  ];
  if (intermediates.length > 0) args.push('-untrusted', file('untrusted', intermediates.join('')));
  if (options.hostname) {
    args.push(isIP(options.hostname) ? '-verify_ip' : '-verify_hostname', options.hostname);
  }
  if (options.at) args.push('-attime', String(Math.floor(options.at.getTime() / 1000)));
  const depth = intermediateDepth(options.maxDepth);
  if (depth !== undefined) args.push('-verify_depth', String(depth));
  args.push(...(options.flags ?? []), file('leaf', options.leaf));
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const PYCA = `
import sys, json, datetime, ipaddress
try:
    import cryptography
    from cryptography import x509
    from cryptography.x509.verification import PolicyBuilder, Store, DNSName, IPAddress
except ImportError as error:
    print(json.dumps({"missing": str(error)})); sys.exit(0)
version = cryptography.__version__
if int(version.split(".")[0]) < 42:
    print(json.dumps({"missing": "cryptography " + version + " < 42", "version": version}))
    sys.exit(0)
out = []
for case in json.load(sys.stdin):
    try:
        load = lambda pem: x509.load_pem_x509_certificate(pem.encode())
        store = Store([load(pem) for pem in case["trusted"]])
        leaf = load(case["leaf"])
        intermediates = [load(pem) for pem in case["intermediates"]]
        name = case["hostname"]
        subject = IPAddress(ipaddress.ip_address(name)) if case["ip"] else DNSName(name)
        if case["at"] is None:
            at = datetime.datetime.now(datetime.timezone.utc)
        else:
            at = datetime.datetime.fromtimestamp(case["at"], datetime.timezone.utc)
        builder = PolicyBuilder().store(store).time(at)
        if case["maxDepth"] is not None:
            builder = builder.max_chain_depth(case["maxDepth"])
        builder.build_server_verifier(subject).verify(leaf, intermediates)
        out.append({"ok": True, "output": ""})
    except Exception as error:
        out.append({"ok": False, "output": type(error).__name__ + ": " + str(error)})
print(json.dumps({"results": out, "version": version}))
`;

/**
 * What pyca/cryptography said: a result per chain, in order, with its version; or why it could
 * not judge (`missing`: python3, or cryptography 42 or later, is not installed; `version` where
 * an older one is); or `failed`, the standard error of a run of python3 that failed.
 */
export type PycaAnswer =
  | { results: OracleResult[]; version: string }
  | { missing: string; version?: string }
  | { failed: string };

/** pyca/cryptography's server verifier on every chain, in one run of python3. */
export function pycaVerify(chains: readonly (OracleChain & { hostname: string })[]): PycaAnswer {
  const input = chains.map((chain) => ({
    trusted: chain.trusted,
    leaf: chain.leaf,
    intermediates: chain.intermediates ?? [],
    hostname: chain.hostname,
    ip: isIP(chain.hostname) !== 0,
    at: chain.at ? chain.at.getTime() / 1000 : null,
    maxDepth: intermediateDepth(chain.maxDepth) ?? null,
  }));
  const run = spawnSync('python3', ['-c', PYCA], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  if (run.error) return { missing: `python3 is not available (${run.error.message})` };
  if (run.status !== 0) return { failed: run.stderr };
  return JSON.parse(run.stdout) as PycaAnswer;
}
