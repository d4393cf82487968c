// Whether an issuer signed a certificate, for one verifier: remembered in its caches when it
// has them, and checked ahead on the thread pool for the asynchronous path.
import { createPublicKey, KeyObject, verify } from 'node:crypto';
import type { Certificate } from '../x509/index.js';
import {
  importPublicKey,
  publicKeyInput,
  signedBytes,
  verifySignatureAsync,
  verifySignatureWith,
} from '../x509/internal.js';
import type { BoundedMap } from './bounded-map.js';
import type { SignedBy } from './path.js';
import { type PoolAnswer, type PoolCheck, SignaturePool } from './signature-pool.js';

/** The caches signature checks use; a verifier without caches has none. */
export interface SignatureCaches {
  signatures: BoundedMap<string, boolean>;
  keys: BoundedMap<string, KeyObject | null>;
}

/** Signature results of one call, by subject and issuer fingerprint. */
export type CheckedPairs = ReadonlyMap<string, boolean>;

/** Signature checks of one verifier, with its caches or without. */
export class SignatureChecks {
  readonly #caches: SignatureCaches | undefined;
  readonly #threads: number;
  /** Started at the first asynchronous check, when there are threads. */
  #pool: SignaturePool | undefined;

  constructor(caches: SignatureCaches | undefined, threads: number) {
    this.#caches = caches;
    this.#threads = threads;
  }

  /** Whether `issuer` signed `subject`, remembered per pair when caching. */
  readonly signedBy: SignedBy = (subject, issuer) => {
    const signatures = this.#caches?.signatures;
    const pair = subject.sha256Fingerprint + issuer.sha256Fingerprint;
    let result = signatures?.get(pair);
    if (result === undefined) {
      const key = this.#key(issuer);
      result = key !== null && verifySignatureWith(subject, key);
      signatures?.set(pair, result);
    }
    return result;
  };

  /**
   * Checks `pairs` all at once, off this thread, and resolves to their results (kept in the
   * caches too). Each result is the one `signedBy` gives: the same key import and the same
   * `crypto.verify` call. Without threads of its own, keys are imported here and signatures
   * checked on libuv's thread pool; with them, the workers do both.
   */
  check(pairs: readonly [Certificate, Certificate][]): Promise<CheckedPairs> {
    return this.#threads > 0 ? this.#checkInWorkers(pairs) : this.#checkOnPool(pairs);
  }

  async #checkOnPool(pairs: readonly [Certificate, Certificate][]): Promise<CheckedPairs> {
    const results = new Map<string, boolean>();
    const pending: Promise<void>[] = [];
    const signatures = this.#caches?.signatures;
    for (const [subject, issuer] of pairs) {
      const pair = subject.sha256Fingerprint + issuer.sha256Fingerprint;
      if (results.has(pair)) continue;
      const known = signatures?.get(pair);
      if (known !== undefined) {
        results.set(pair, known);
        continue;
      }
      const key = this.#key(issuer);
      // Marked as being checked, so a pair listed twice is checked once.
      results.set(pair, false);
      if (key === null) {
        signatures?.set(pair, false);
        continue;
      }
      pending.push(
        verifySignatureAsync(subject, key).then((valid) => {
          results.set(pair, valid);
          signatures?.set(pair, valid);
        }),
      );
    }
    await Promise.all(pending);
    return results;
  }

  async #checkInWorkers(pairs: readonly [Certificate, Certificate][]): Promise<CheckedPairs> {
    const results = new Map<string, boolean>();
    const pending: Promise<void>[] = [];
    const caches = this.#caches;
    for (const [subject, issuer] of pairs) {
      const pair = subject.sha256Fingerprint + issuer.sha256Fingerprint;
      if (results.has(pair)) continue;
      const known = caches?.signatures.get(pair);
      if (known !== undefined) {
        results.set(pair, known);
        continue;
      }
      const bytes = signedBytes(subject);
      // A key known not to import (null) is not tried again, as `signedBy` does not.
      const cached = caches?.keys.get(issuer.sha256Fingerprint);
      const key = cached === undefined ? publicKeyInput(issuer) : cached;
      if (!bytes || key === null) {
        // Nothing for a worker: no key to import, or an algorithm only OpenSSL's certificate
        // reader takes.
        results.set(pair, this.signedBy(subject, issuer));
        continue;
      }
      // Marked as being checked, so a pair listed twice is checked once.
      results.set(pair, false);
      this.#pool ??= new SignaturePool(answerHere, this.#threads);
      pending.push(
        this.#pool.check({ key, ...bytes }).then(({ valid, imported }) => {
          results.set(pair, valid);
          caches?.signatures.set(pair, valid);
          if (imported !== undefined) caches?.keys.set(issuer.sha256Fingerprint, imported);
        }),
      );
    }
    await Promise.all(pending);
    return results;
  }

  /** `signedBy`, answered from `checked` first. */
  signedByWith(checked: CheckedPairs): SignedBy {
    return (subject, issuer) =>
      checked.get(subject.sha256Fingerprint + issuer.sha256Fingerprint) ??
      this.signedBy(subject, issuer);
  }

  /** The issuer's key, imported once per verifier when caching. */
  #key(issuer: Certificate): KeyObject | null {
    const keys = this.#caches?.keys;
    let key = keys?.get(issuer.sha256Fingerprint);
    if (key === undefined) {
      key = importPublicKey(issuer);
      keys?.set(issuer.sha256Fingerprint, key);
    }
    return key;
  }
}

/** A pool check answered on this thread, as its worker would have. */
function answerHere(check: PoolCheck): PoolAnswer {
  let key: KeyObject | null;
  let imported: KeyObject | null | undefined;
  if (check.key instanceof KeyObject) key = check.key;
  else {
    try {
      key = createPublicKey(check.key);
    } catch {
      key = null;
    }
    imported = key;
  }
  let valid = false;
  if (key !== null) {
    try {
      valid = verify(check.hash, check.tbs, key, check.signature);
    } catch {
      valid = false;
    }
  }
  return imported === undefined ? { valid } : { valid, imported };
}
