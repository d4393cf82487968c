import { hash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { CertificateParseError, TrustStoreError } from '../errors.js';
import {
  type Certificate,
  type DistinguishedName,
  type ParseOptions,
  parseCertificate,
  readPemBundle,
} from '../x509/index.js';

/** A source that could not be (fully) loaded into a trust store, and why. */
export interface TrustStoreLoadError {
  /** File the problem is in; `undefined` for PEM text given directly. */
  readonly file: string | undefined;
  /** Position of the bad PEM block in its text, from 0; `undefined` for a whole-file error. */
  readonly index: number | undefined;
  /** Line of the bad block's `-----BEGIN` marker, from 1; `undefined` for a whole-file error. */
  readonly line: number | undefined;
  /** What was wrong. */
  readonly error: CertificateParseError;
}

/** Options for loading a trust store. */
export interface TrustStoreOptions extends ParseOptions {}

const PEM_OR_DER = /\.(pem|crt|cer|der|ca-bundle|\d+)$/i;
let mozillaStore: TrustStore | undefined;

/**
 * A set of trust anchors: the root certificates a chain must lead to. Immutable; combine
 * stores with {@link TrustStore.with}. A certificate is kept once however often it is added.
 *
 * @example
 * ```ts
 * import { TrustStore } from 'certsweep';
 *
 * const trust = TrustStore.mozilla().with(await TrustStore.fromFile('/etc/pki/corp-root.pem'));
 * console.log(trust.size, trust.errors);
 * ```
 */
export class TrustStore implements Iterable<Certificate> {
  /** PEM blocks or files that could not be loaded; the rest of the store is still usable. */
  readonly errors: readonly TrustStoreLoadError[];
  readonly #byFingerprint: ReadonlyMap<string, Certificate>;
  readonly #bySubject: ReadonlyMap<string, readonly Certificate[]>;
  #fingerprint: string | undefined;

  private constructor(
    certificates: Iterable<Certificate>,
    errors: readonly TrustStoreLoadError[] = [],
  ) {
    const byFingerprint = new Map<string, Certificate>();
    const bySubject = new Map<string, Certificate[]>();
    for (const cert of certificates) {
      if (byFingerprint.has(cert.sha256Fingerprint)) continue;
      byFingerprint.set(cert.sha256Fingerprint, cert);
      const key = cert.subject.canonical;
      const list = bySubject.get(key);
      if (list) list.push(cert);
      else bySubject.set(key, [cert]);
    }
    this.#byFingerprint = byFingerprint;
    this.#bySubject = bySubject;
    this.errors = Object.freeze([...errors]);
    Object.freeze(this);
  }

  /**
   * A store of the given certificates.
   *
   * @example
   * ```ts
   * const trust = TrustStore.fromCertificates([parseCertificate(rootPem)]);
   * ```
   */
  static fromCertificates(certificates: Iterable<Certificate>): TrustStore {
    return new TrustStore(certificates);
  }

  /**
   * A store of every certificate in a PEM text. Bad blocks are listed in `errors` with their
   * position; the good ones load.
   *
   * @example
   * ```ts
   * const trust = TrustStore.fromPem(readFileSync('roots.pem', 'utf8'));
   * for (const bad of trust.errors) console.warn(`line ${bad.line}: ${bad.error.message}`);
   * ```
   */
  static fromPem(text: string, options: TrustStoreOptions = {}): TrustStore {
    const loaded = fromText(text, undefined, options);
    return new TrustStore(loaded.certificates, loaded.errors);
  }

  /**
   * A store of the certificates in one file: a PEM bundle, or a single DER certificate.
   *
   * @throws {@link TrustStoreError} when the file cannot be read or holds no certificate.
   *
   * @example
   * ```ts
   * const trust = await TrustStore.fromFile('/etc/ssl/certs/ca-certificates.crt');
   * ```
   */
  static async fromFile(path: string, options: TrustStoreOptions = {}): Promise<TrustStore> {
    const loaded = fromBytes(await readSource(path), path, options);
    if (loaded.certificates.length === 0) {
      const first = loaded.errors[0]?.error;
      throw new TrustStoreError({
        message: `no certificate could be loaded from ${path}${first ? `: ${first.message}` : ''}`,
        path,
        ...(first ? { cause: first } : {}),
      });
    }
    return new TrustStore(loaded.certificates, loaded.errors);
  }

  /**
   * A store of the certificates in every `.pem`, `.crt`, `.cer`, `.der` and OpenSSL hashed
   * (`.0`, `.1`, …) file of a directory (not recursive), as in `/etc/ssl/certs`.
   *
   * @throws {@link TrustStoreError} when the directory cannot be read.
   *
   * @example
   * ```ts
   * const trust = await TrustStore.fromDirectory('/etc/ssl/certs');
   * ```
   */
  static async fromDirectory(path: string, options: TrustStoreOptions = {}): Promise<TrustStore> {
    let names: string[];
    try {
      names = (await readdir(path)).filter((name) => PEM_OR_DER.test(name)).sort();
    } catch (error) {
      throw new TrustStoreError({ message: `cannot read directory ${path}`, path, cause: error });
    }
    const certificates: Certificate[] = [];
    const errors: TrustStoreLoadError[] = [];
    for (const name of names) {
      const file = join(path, name);
      if (!(await stat(file).catch(() => undefined))?.isFile()) continue;
      const loaded = fromBytes(await readSource(file), file, options);
      certificates.push(...loaded.certificates);
      errors.push(...loaded.errors);
    }
    return new TrustStore(certificates, errors);
  }

  /**
   * The Mozilla root program's bundle as shipped inside Node (`tls.rootCertificates`), parsed
   * once per process.
   *
   * @example
   * ```ts
   * const verdict = verifyChain(chain, { trust: TrustStore.mozilla(), hostname: 'example.com' });
   * ```
   */
  static mozilla(): TrustStore {
    mozillaStore ??= TrustStore.fromPem(rootCertificates.join('\n'));
    return mozillaStore;
  }

  /** Number of distinct certificates. */
  get size(): number {
    return this.#byFingerprint.size;
  }

  /**
   * SHA-256 over the anchors' fingerprints in sorted order, lower-case hex: two stores holding
   * the same anchors have the same fingerprint, whatever order they were loaded in. Verdict
   * caches use it to keep the verdicts of different stores apart. Computed on first read.
   *
   * @example
   * ```ts
   * const same = TrustStore.mozilla().fingerprint === TrustStore.fromPem(pem).fingerprint;
   * ```
   */
  get fingerprint(): string {
    this.#fingerprint ??= hash('sha256', [...this.#byFingerprint.keys()].sort().join(','), 'hex');
    return this.#fingerprint;
  }

  /**
   * A new store holding the certificates of both (each once), and the errors of both.
   *
   * @example
   * ```ts
   * const trust = TrustStore.mozilla().with(TrustStore.fromPem(corporateRoots));
   * ```
   */
  with(other: TrustStore): TrustStore {
    return new TrustStore([...this, ...other], [...this.errors, ...other.errors]);
  }

  /**
   * Whether this exact certificate (same SHA-256 fingerprint) is in the store. Accepts a
   * certificate or a fingerprint in hex.
   *
   * @example
   * ```ts
   * if (trust.has(chain.at(-1))) console.log('the server sends its root');
   * ```
   */
  has(certificate: Certificate | string): boolean {
    const key =
      typeof certificate === 'string'
        ? certificate.replace(/:/g, '').toLowerCase()
        : certificate.sha256Fingerprint;
    return this.#byFingerprint.has(key);
  }

  /**
   * The anchors whose subject is `name` (compared in canonical form): the candidates to have
   * issued a certificate whose issuer is `name`.
   *
   * @example
   * ```ts
   * const issuers = trust.bySubject(leaf.issuer);
   * ```
   */
  bySubject(name: DistinguishedName): readonly Certificate[] {
    return this.#bySubject.get(name.canonical) ?? [];
  }

  /** Every certificate, in the order first added. */
  [Symbol.iterator](): Iterator<Certificate> {
    return this.#byFingerprint.values();
  }
}

interface Loaded {
  certificates: readonly Certificate[];
  errors: readonly TrustStoreLoadError[];
}

function fromText(text: string, file: string | undefined, options: ParseOptions): Loaded {
  const bundle = readPemBundle(text, options);
  const errors = bundle.errors.map((bad) =>
    Object.freeze({ file, index: bad.index, line: bad.line, error: bad.error }),
  );
  return { certificates: bundle.certificates, errors };
}

function fromBytes(bytes: Buffer, file: string, options: ParseOptions): Loaded {
  if (bytes.includes('-----BEGIN')) return fromText(bytes.toString('latin1'), file, options);
  try {
    return { certificates: [parseCertificate(bytes, options)], errors: [] };
  } catch (error) {
    if (!(error instanceof CertificateParseError)) throw error;
    error.message = `${file}: ${error.message}`;
    return { certificates: [], errors: [{ file, index: undefined, line: undefined, error }] };
  }
}

async function readSource(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new TrustStoreError({ message: `cannot read ${path}`, path, cause: error });
  }
}
