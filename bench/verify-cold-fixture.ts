// Chains in which every certificate is new: a root, an intermediate and a leaf, each with its
// own key, as a cold verifier meets them. Roots go in the trust store; the server sends the
// leaf and the intermediate.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  type KeyPair,
  type KeySpec,
} from '../test/helpers/pki.js';

const generate = promisify(generateKeyPair);

/** Each chain as base64 DER: leaf, intermediate, root. */
export type ColdChain = [string, string, string];

/** `count` chains of `spec` keys; keys are generated on the thread pool, so both cores help. */
export async function mintColdChains(
  count: number,
  spec: 'ec256' | 'rsa2048',
): Promise<ColdChain[]> {
  const keys = await Promise.all(Array.from({ length: count * 3 }, () => newKey(spec)));
  const chains: ColdChain[] = [];
  for (let i = 0; i < count; i++) {
    const root = createRoot({ keyPair: keys[3 * i] as KeyPair, subject: `Cold Root ${spec} ${i}` });
    const intermediate = createIntermediate(root, {
      keyPair: keys[3 * i + 1] as KeyPair,
      subject: `Cold Intermediate ${spec} ${i}`,
    });
    const leaf = createLeaf(intermediate, {
      keyPair: keys[3 * i + 2] as KeyPair,
      subject: `www${i}.cold.test`,
      san: { dns: [`www${i}.cold.test`] },
      aia: { ocsp: ['http://ocsp.cold.test'], caIssuers: ['http://ca.cold.test/i.der'] },
      crl: ['http://crl.cold.test/i.crl'],
      scts: true,
    });
    chains.push([leaf, intermediate, root].map((c) => c.der.toString('base64')) as ColdChain);
  }
  return chains;
}

async function newKey(spec: KeySpec): Promise<KeyPair> {
  const pair =
    spec === 'ec256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : await generate('rsa', { modulusLength: 2048 });
  return { spec, privateKey: pair.privateKey, publicKey: pair.publicKey };
}
