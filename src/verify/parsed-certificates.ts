import type { Certificate } from '../x509/index.js';
import { BoundedMap } from './bounded-map.js';

/**
 * A verifier's certificates parsed from DER, found again from the DER without hashing it:
 * by its length and its last bytes (the end of the signature, unique in practice), and
 * confirmed byte for byte against the DER the certificate was parsed from, so a certificate
 * that differs anywhere else is never taken for a cached one. A second certificate with the
 * same length and tail takes the first one's place. Bounded: the least recently used go.
 */
export class ParsedCertificates {
  readonly #entries: BoundedMap<string, Certificate>;

  constructor(limit: number) {
    this.#entries = new BoundedMap(limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  get limit(): number {
    return this.#entries.limit;
  }

  /** The certificate parsed from exactly these bytes, if it is held. */
  find(der: Uint8Array): Certificate | undefined {
    const cert = this.#entries.get(tailKey(der));
    return cert !== undefined && Buffer.compare(cert.der, der) === 0 ? cert : undefined;
  }

  /** Holds `cert`, parsed from `der`. */
  add(der: Uint8Array, cert: Certificate): void {
    this.#entries.set(tailKey(der), cert);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * The length and the last 16 bytes, a character each, in one call: no buffer, copy or array
 * is made (a certificate shorter than that has 0 for the bytes it lacks).
 */
function tailKey(d: Uint8Array): string {
  const n = d.length;
  return String.fromCharCode(
    n & 0xffff,
    n >>> 16,
    d[n - 16] as number,
    d[n - 15] as number,
    d[n - 14] as number,
    d[n - 13] as number,
    d[n - 12] as number,
    d[n - 11] as number,
    d[n - 10] as number,
    d[n - 9] as number,
    d[n - 8] as number,
    d[n - 7] as number,
    d[n - 6] as number,
    d[n - 5] as number,
    d[n - 4] as number,
    d[n - 3] as number,
    d[n - 2] as number,
    d[n - 1] as number,
  );
}
