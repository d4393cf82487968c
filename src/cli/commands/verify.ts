import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { humanise } from '../../monitor/index.js';
import { checkRevocation, type RevocationReport } from '../../revocation/index.js';
import { grab, type ScanOptions } from '../../scan/index.js';
import { formatTarget, type Target } from '../../targets/index.js';
import { type ChainVerdict, type Profile, verifyChain } from '../../verify/index.js';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { describeResult, indexer, type ParsedChain, parseChain, safeJson } from '../describe.js';
import { EXIT } from '../exit-codes.js';
import {
  loadTrust,
  parseDurationOption,
  parsePort,
  parseStarttls,
  readCommandLine,
} from '../options.js';
import { writeText } from '../output.js';
import { sanitize } from '../table.js';

const USAGE = `Usage: certsweep verify HOST[:PORT] [options]

Connects to one target, and explains its chain: the certificates as the server sent them,
the path built to a trust anchor, and every problem found.
HOST is a hostname or an address ([2001:db8::1]:443 for IPv6 with a port); PORT defaults
to 443.

Options:
      --sni NAME           the SNI name to send and check the certificate against
                           (default: HOST when it is a name; none for an address)
      --starttls MODE      auto (by well-known port), none, or a protocol: smtp, imap, pop3,
                           ftp, ldap, xmpp, postgres, … (default: auto)
      --trust SOURCE       trust anchors: mozilla, a PEM/DER FILE or a DIR (repeatable;
                           default: mozilla plus certsweep's trust directory when it exists)
      --profile PROFILE    webpki (what browsers enforce) or rfc5280 (private PKIs)
                           (default: webpki)
      --timeout DURATION   deadline: connect, STARTTLS and handshake (default: 5s)
      --json               one JSON object, as a line of certsweep scan --jsonl
  -h, --help               this text

Exit status: 0 the chain is valid, 1 it is invalid or revoked, or the target did not
answer, 2 bad arguments, 3 the check could not be done.
`;

const OPTIONS = {
  sni: { type: 'string' },
  starttls: { type: 'string' },
  trust: { type: 'string', multiple: true },
  profile: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: Command = {
  summary: 'explain one target: the chain as sent, the path built, every problem',
  async main(argv, io) {
    const line = readCommandLine(argv, io, USAGE, () =>
      parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true }),
    );
    if (line === undefined) return EXIT.ok;
    const { values, positionals } = line;
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'which target? certsweep verify HOST[:PORT]'
          : `one target at a time, got ${positionals.length}: ${positionals.join(' ')}`,
      );
    }
    const target = parseTarget(positionals[0] ?? '', values.sni);
    const profile = values.profile ?? 'webpki';
    if (profile !== 'webpki' && profile !== 'rfc5280') {
      throw new UsageError(`--profile "${profile}" must be webpki or rfc5280`);
    }
    const options: ScanOptions = {
      timeoutMs:
        values.timeout === undefined ? 5000 : parseDurationOption('--timeout', values.timeout),
      starttls: values.starttls === undefined ? 'auto' : parseStarttls(values.starttls),
      signal: io.signal,
    };
    const trust = await loadTrust(values.trust, io);

    const result = await grab(target, options);
    let chain: ParsedChain = { der: [], certificates: [], errors: [] };
    let verdict: ChainVerdict | undefined;
    let revocation: RevocationReport | undefined;
    if (result.ok) {
      chain = parseChain(result.chain);
      verdict = verifyChain(result.chain, {
        trust: trust.store,
        profile,
        ...(target.servername === undefined ? {} : { hostname: target.servername }),
        staple: result.ocspStaple,
        cache: false,
      });
      if (result.ocspStaple !== null) {
        const path = verdict.path.length > 0 ? verdict.path : result.chain;
        revocation = await checkRevocation(path, { trust: trust.store, staple: result.ocspStaple });
      }
    }
    const judged = { result, zone: 'default', chain, verdict, revocation };
    if (values.json) {
      await writeText(io.stdout, `${safeJson(describeResult(judged, false))}\n`);
    } else {
      const text = explain({
        ...judged,
        profile,
        trustName: trust.name,
        trustSize: trust.store.size,
      });
      await writeText(io.stdout, text);
    }
    const good = verdict?.valid === true && revocation?.status !== 'revoked';
    return good ? EXIT.ok : EXIT.findings;
  },
};

/**
 * `HOST`, `HOST:PORT`, `[IPv6]:PORT` or a bare IPv6 address into a target; the SNI name is
 * `--sni`, else the host when it is a name.
 */
function parseTarget(text: string, sni: string | undefined): Target {
  let host = text;
  let port = 443;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = parsePort('PORT', bracketed[2]);
  } else if ((text.match(/:/g) ?? []).length === 1) {
    const colon = text.indexOf(':');
    host = text.slice(0, colon);
    port = parsePort('PORT', text.slice(colon + 1));
  }
  host = host.trim().toLowerCase();
  if (host === '' || /[\s/]/.test(host)) {
    throw new UsageError(`"${text}" is not a HOST[:PORT]`);
  }
  if (sni !== undefined && (sni === '' || isIP(sni) !== 0)) {
    throw new UsageError(`--sni "${sni}" must be a hostname (SNI never carries an address)`);
  }
  const servername = sni?.toLowerCase() ?? (isIP(host) === 0 ? host : undefined);
  return { host, port, ...(servername === undefined ? {} : { servername }) };
}

interface Explained {
  readonly result: Awaited<ReturnType<typeof grab>>;
  readonly chain: ParsedChain;
  readonly verdict: ChainVerdict | undefined;
  readonly revocation: RevocationReport | undefined;
  readonly profile: Profile;
  readonly trustName: string;
  readonly trustSize: number;
}

/** The report for people: every line from a certificate or a server goes through sanitize. */
function explain(report: Explained): string {
  const { result, chain, verdict, revocation } = report;
  const out: string[] = [];
  const now = Date.now();
  const s = sanitize;
  out.push(`Target    ${s(formatTarget(result.target))}`);
  if (result.address !== undefined) out.push(`Address   ${result.address}`);
  out.push(
    `Trust     ${s(report.trustName)} (${count(report.trustSize, 'anchor')}), profile ${report.profile}`,
  );
  if (!result.ok) {
    out.push('', `Failed    ${result.error.code}: ${s(result.error.message)}`);
    if (result.error.reply) out.push(`Reply     ${s(JSON.stringify(result.error.reply))}`);
    return `${out.join('\n')}\n`;
  }
  out.push(
    `TLS       ${result.protocol}, ${result.cipher}` +
      `${result.alpn ? `, ALPN ${s(result.alpn)}` : ''}` +
      `${result.starttls ? `, after STARTTLS ${result.starttls}` : ''}`,
  );
  out.push('', `Chain as sent (${count(chain.der.length, 'certificate')}):`);
  chain.der.forEach((_, i) => {
    const cert = chain.certificates[i];
    if (cert === undefined) {
      out.push(`  [${i}] (does not parse: ${s(chain.errors[i] ?? '')})`);
      return;
    }
    out.push(`  [${i}] ${s(cert.subject.text || '(empty subject)')}`);
    out.push(`      issuer   ${s(cert.issuer.text || '(empty issuer)')}`);
    out.push(
      `      valid    ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()} (${relative(cert.notAfterMs, now)})`,
    );
    const sans = [...(cert.subjectAltNames?.dns ?? []), ...(cert.subjectAltNames?.ip ?? [])];
    if (sans.length > 0) out.push(`      names    ${s(sans.join(', '))}`);
    out.push(`      key      ${keyText(cert.publicKey)}, signed ${s(cert.signature.algorithm)}`);
    out.push(`      sha256   ${cert.sha256Fingerprint}`);
  });
  if (result.chainTruncated) out.push('  (the chain was longer and was cut)');
  if (verdict === undefined) return `${out.join('\n')}\n`;

  const sentAs = indexer(chain);
  out.push(
    '',
    `Path built (${count(verdict.path.length, 'certificate')}, ${verdict.trusted ? 'reaches a trust anchor' : 'reaches no trust anchor'}):`,
  );
  verdict.path.forEach((cert, i) => {
    const sent = sentAs(cert.sha256Fingerprint);
    const anchor = verdict.trusted && i === verdict.path.length - 1;
    const from = sent === null ? 'from the trust store' : `sent as [${sent}]`;
    out.push(
      `  ${i}. ${s(cert.subject.text || '(empty subject)')} (${from}${anchor ? ', trust anchor' : ''})`,
    );
  });

  const errors = verdict.problems.filter((p) => p.severity === 'error').length;
  const warnings = verdict.problems.length - errors;
  out.push(
    '',
    verdict.problems.length === 0
      ? 'Problems: none'
      : `Problems (${errors} errors, ${warnings} warnings):`,
  );
  for (const problem of verdict.problems) {
    const sent = problem.certificate ? sentAs(problem.certificate.sha256Fingerprint) : null;
    const which =
      problem.certificate === undefined
        ? 'the chain'
        : `${sent === null ? 'anchor' : `[${sent}]`} ${s(problem.certificate.subject.text || '(empty subject)')}`;
    out.push(`  ${problem.severity.padEnd(7)} ${problem.code}  (${which})`);
    out.push(`          ${s(problem.message)}`);
  }
  if (revocation !== undefined) {
    out.push('', `Revocation (stapled OCSP): ${revocation.status}`);
    for (const entry of revocation.certificates) {
      const revoked = entry.revokedAt ? ` since ${entry.revokedAt.toISOString()}` : '';
      const reason = entry.reason ? ` (${entry.reason})` : '';
      const problem = entry.problem ? `: ${s(entry.problem.message)}` : '';
      out.push(
        `  ${entry.status}${revoked}${reason}  ${s(entry.certificate.subject.text)}${problem}`,
      );
    }
  }
  const revoked = revocation?.status === 'revoked';
  const end = verdict.expiresAt?.getTime();
  const expires =
    end === undefined
      ? ''
      : `; the path ${end < now ? `expired ${humanise(now - end)} ago` : `expires in ${humanise(end - now)}`} (${new Date(end).toISOString()})`;
  out.push(
    '',
    verdict.valid && !revoked
      ? `Verdict: VALID${expires}`
      : `Verdict: INVALID${revoked ? ', revoked' : ''} (${count(errors, 'error')})${expires}`,
  );
  return `${out.join('\n')}\n`;
}

function relative(at: number, now: number): string {
  return at < now ? `expired ${humanise(now - at)} ago` : `in ${humanise(at - now)}`;
}

function keyText(key: { algorithm: string; bits: number | undefined; curve: string | undefined }) {
  return [
    key.algorithm.toUpperCase(),
    key.curve ?? (key.bits === undefined ? '' : `${key.bits} bits`),
  ]
    .filter((part) => part !== '')
    .join(' ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
