// What the inventory's certificate cache keeps once a batch is stored: the fingerprint of
// every certificate, the DER of those below a leaf (to recognise their chains), no records.
import { expect, it } from 'vitest';
import { CertificateCache } from '../../src/inventory/certificate-cache.js';
import { certificate, chainId } from '../../src/testing/builders.js';

const leaf = certificate('leaf.test');
const other = certificate('other.test');
const intermediate = certificate('Test CA', { isCA: true });
const fps = (...records: { fingerprint: string }[]) => records.map((r) => r.fingerprint);
const known = (...records: { fingerprint: string }[]) => ({
  id: chainId(fps(...records)),
  fingerprints: fps(...records),
});
/** Fresh buffers with the same bytes, as every handshake hands over. */
const sent = (...records: { der: Uint8Array }[]) => records.map((r) => Uint8Array.from(r.der));

it('lets a record go once stored, and still knows the certificate is stored', () => {
  const cache = new CertificateCache();
  cache.remember(leaf);
  expect(cache.record(leaf.fingerprint)).toBe(leaf);
  expect(cache.stored(leaf.fingerprint)).toBe(false);
  cache.markStored([leaf]);
  expect(cache.stored(leaf.fingerprint)).toBe(true);
  expect(cache.record(leaf.fingerprint)).toBeUndefined();
  // A later run sends it once more: a record made again is kept until stored again.
  cache.forgetStored();
  expect(cache.stored(leaf.fingerprint)).toBe(false);
  const again = { ...leaf, firstSeen: leaf.firstSeen + 1 };
  cache.remember(again);
  expect(cache.record(leaf.fingerprint)).toBe(again);
});

it('recognises a stored chain by the DER below its leaf, and no other', () => {
  const cache = new CertificateCache();
  cache.remember(leaf);
  cache.remember(intermediate);
  const chain = known(leaf, intermediate);
  cache.rememberChain(chain, sent(leaf, intermediate));
  cache.markStored([leaf, intermediate]);
  expect(cache.chain(leaf.fingerprint, sent(leaf, intermediate))).toBe(chain);
  expect(cache.chain(leaf.fingerprint, sent(leaf, other))).toBeUndefined();
  expect(cache.chain(leaf.fingerprint, sent(leaf))).toBeUndefined();
});

it('keeps the DER of a certificate served as a leaf once a chain holds it below its leaf', () => {
  const cache = new CertificateCache();
  cache.remember(intermediate);
  cache.rememberChain(known(intermediate), sent(intermediate));
  cache.markStored([intermediate]);
  // Now below a leaf: its bytes come from the chain as sent.
  cache.remember(leaf);
  const chain = known(leaf, intermediate);
  cache.rememberChain(chain, sent(leaf, intermediate));
  cache.markStored([leaf]);
  expect(cache.chain(leaf.fingerprint, sent(leaf, intermediate))).toBe(chain);
});
