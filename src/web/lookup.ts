// What one request looks up more than once (a chain shared by a page of targets, the
// certificates of a chain), fetched once per request.
import {
  type CertificateRecord,
  type ChainRecord,
  type Inventory,
  type TargetRecord,
  type TargetVerdict,
  targetVerdict,
} from '../inventory/index.js';

export class Lookup {
  readonly inventory: Inventory;
  readonly #certificates = new Map<string, Promise<CertificateRecord | undefined>>();
  readonly #chains = new Map<string, Promise<ChainRecord | undefined>>();

  constructor(inventory: Inventory) {
    this.inventory = inventory;
  }

  certificate(fingerprint: string): Promise<CertificateRecord | undefined> {
    let found = this.#certificates.get(fingerprint);
    if (!found) {
      found = this.inventory.certificate(fingerprint);
      this.#certificates.set(fingerprint, found);
    }
    return found;
  }

  chain(id: string): Promise<ChainRecord | undefined> {
    let found = this.#chains.get(id);
    if (!found) {
      found = this.inventory.chain(id);
      this.#chains.set(id, found);
    }
    return found;
  }

  /** A target's chain, own verdict and leaf certificate (each `undefined` when it has none). */
  async served(target: TargetRecord): Promise<{
    chain: ChainRecord | undefined;
    verdict: TargetVerdict | undefined;
    leaf: CertificateRecord | undefined;
  }> {
    const chain = target.chain === null ? undefined : await this.chain(target.chain);
    const first = chain?.fingerprints[0];
    const leaf = first === undefined ? undefined : await this.certificate(first);
    return { chain, verdict: targetVerdict(target, chain), leaf };
  }

  /**
   * The path from the chain's leaf to `anchor`, as the verdict's anchor and the issuer names
   * tell it: each step the certificate (among those sent, and the anchor) whose subject is the
   * issuer of the one before. It stops at the anchor, at a self-issued certificate, or where no
   * issuer is known (an incomplete chain).
   */
  async path(sent: readonly string[], anchor: string | null): Promise<string[]> {
    const leafFingerprint = sent[0];
    if (leafFingerprint === undefined) return [];
    const pool = anchor === null || sent.includes(anchor) ? [...sent] : [...sent, anchor];
    const certs = new Map<string, CertificateRecord>();
    for (const fp of pool) {
      const cert = await this.certificate(fp);
      if (cert) certs.set(fp, cert);
    }
    const path = [leafFingerprint];
    let current = certs.get(leafFingerprint);
    while (current !== undefined && path.length < 16) {
      if (current.fingerprint === anchor || current.selfIssued) break;
      const issuer = current.issuer;
      const candidates = [...certs.values()].filter(
        (cert) => cert.subject === issuer && !path.includes(cert.fingerprint),
      );
      const next = candidates.find((cert) => cert.fingerprint === anchor) ?? candidates[0];
      if (next === undefined) break;
      path.push(next.fingerprint);
      current = next;
    }
    return path;
  }
}
