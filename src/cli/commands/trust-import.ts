import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CertificateParseError } from '../../errors.js';
import { type Certificate, parseCertificate, readPemBundle } from '../../x509/index.js';
import { CliError, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { toPem } from '../describe.js';
import { EXIT } from '../exit-codes.js';
import { readCommandLine, trustDirectory } from '../options.js';
import { writeText } from '../output.js';
import { sanitize } from '../table.js';

const USAGE = `Usage: certsweep trust import FILE|DIR [--trust-dir DIR]

Checks CA certificates (PEM bundles or DER files; in a DIR every .pem, .crt, .cer, .der,
.ca-bundle and hashed .0 file) and copies them into certsweep's trust directory, one
SHA256.pem file per certificate, so that scan and verify trust them.

Every certificate must parse and be a CA (basicConstraints cA); otherwise nothing is
copied and the error names the file and why. A certificate already there is skipped.

Options:
      --trust-dir DIR   where to copy them (default: $CERTSWEEP_TRUST_DIR, else a
                        certsweep-trust/ directory beside the default store)
  -h, --help            this text

Without --trust, scan and verify trust the Mozilla bundle plus this directory; with --trust
they trust only what --trust names (name the directory there to keep it).
Exit status: 0 done, 2 bad arguments or a missing path, 3 a file is not a CA certificate
or cannot be read or written.
`;

const OPTIONS = {
  'trust-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const CERTIFICATE_FILE = /\.(pem|crt|cer|der|ca-bundle|\d+)$/i;

interface Found {
  readonly certificate: Certificate;
  readonly file: string;
}

export const command: Command = {
  summary: "check CA certificates and copy them into certsweep's trust directory",
  async main(argv, io) {
    const line = readCommandLine(argv, io, USAGE, () =>
      parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true }),
    );
    if (line === undefined) return EXIT.ok;
    const { values, positionals } = line;
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'what to import? certsweep trust import FILE|DIR'
          : `one FILE or DIR at a time, got ${positionals.length}`,
      );
    }
    const source = resolve(io.cwd, positionals[0] ?? '');
    const directory =
      values['trust-dir'] === undefined ? trustDirectory(io) : resolve(io.cwd, values['trust-dir']);
    const found = await readSource(source, positionals[0] ?? '');

    await mkdir(directory, { recursive: true }).catch((error: unknown) => {
      throw new CliError(`cannot create the trust directory ${directory}: ${messageOf(error)}`);
    });
    const present = new Set(
      (await readdir(directory)).filter((name) => /^[0-9a-f]{64}\.pem$/.test(name)),
    );
    const lines: string[] = [];
    let added = 0;
    let skipped = 0;
    for (const { certificate, file } of found) {
      const name = `${certificate.sha256Fingerprint}.pem`;
      const subject = sanitize(certificate.subject.text || '(empty subject)');
      const from = sanitize(basename(file));
      if (present.has(name)) {
        skipped++;
        lines.push(
          `skipped ${certificate.sha256Fingerprint.slice(0, 16)}  ${subject}  (already there; from ${from})`,
        );
        continue;
      }
      await writeAtomically(join(directory, name), toPem(certificate.der));
      present.add(name);
      added++;
      const expired = certificate.notAfterMs < Date.now() ? ' EXPIRED' : '';
      lines.push(
        `added   ${certificate.sha256Fingerprint.slice(0, 16)}  ${subject}  (from ${from})${expired}`,
      );
    }
    lines.push(`${added} added, ${skipped} already in ${sanitize(directory)}`);
    await writeText(io.stdout, `${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};

/** Every certificate of a file or a directory's certificate files, each checked to be a CA. */
async function readSource(path: string, shown: string): Promise<Found[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`"${shown}": no such file or directory`);
  let files = [path];
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((name) => CERTIFICATE_FILE.test(name)).sort();
    files = [];
    for (const name of names) {
      const file = join(path, name);
      if ((await stat(file).catch(() => undefined))?.isFile()) files.push(file);
    }
    if (files.length === 0) {
      throw new CliError(`${shown} holds no .pem, .crt, .cer, .der or .ca-bundle file`);
    }
  }
  const found: Found[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (const certificate of await readCertificates(file)) {
      if (!certificate.isCA) {
        throw new CliError(
          `${file}: ${sanitize(certificate.subject.text || '(empty subject)')} is not a CA certificate ` +
            '(its basicConstraints does not say cA); nothing was imported',
        );
      }
      if (seen.has(certificate.sha256Fingerprint)) continue;
      seen.add(certificate.sha256Fingerprint);
      found.push({ certificate, file });
    }
  }
  return found;
}

async function readCertificates(file: string): Promise<readonly Certificate[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${messageOf(error)}`);
  }
  if (bytes.includes('-----BEGIN')) {
    const bundle = readPemBundle(bytes.toString('latin1'));
    const [bad] = bundle.errors;
    if (bad !== undefined) {
      throw new CliError(`${file}, line ${bad.line}: ${bad.error.message}; nothing was imported`);
    }
    if (bundle.certificates.length === 0) {
      throw new CliError(`${file} holds no CERTIFICATE block; nothing was imported`);
    }
    return bundle.certificates;
  }
  try {
    return [parseCertificate(bytes)];
  } catch (error) {
    if (!(error instanceof CertificateParseError)) throw error;
    throw new CliError(
      `${file} is neither PEM nor a DER certificate: ${error.message}; nothing was imported`,
    );
  }
}

/** Writes a file under a temporary name and renames it, so no half file is ever read. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
