// Strict DER: the certificate reader accepts DER only (X.690 section 10). Every BER
// alternative is a CertificateParseError naming the byte offset and what was wrong; the
// minimal re-encoding of the same tree parses identically.
import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Certificate, CertificateParseError, parseCertificate } from '../../src/index.js';
import { DerError, readTlv } from '../../src/x509/der.js';
import {
  allNodes,
  cloneTree,
  type DerNode,
  decodeTree,
  encodeTree,
  type LengthForm,
} from '../helpers/der-tree.js';
import { createChain, createLeaf } from '../helpers/pki.js';

const { intermediate } = createChain('strict.test');
const minted = createLeaf(intermediate, {
  subject: { CN: 'strict.test', O: 'Strict', C: 'DE' },
  san: { dns: ['strict.test'], ip: ['192.0.2.1'] },
  aia: { ocsp: ['http://ocsp.strict.test'] },
}).der;
const pemToDer = (pem: string) =>
  Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
// Real certificates: the roots Node ships, and a minted leaf.
const real = [minted, ...rootCertificates.slice(0, 40).map(pemToDer)];

function rejection(der: Uint8Array): CertificateParseError {
  try {
    parseCertificate(der);
  } catch (error) {
    if (error instanceof CertificateParseError) return error;
    throw error;
  }
  throw new Error('the certificate parsed');
}

/** What a parse yields, without the encoding-dependent fingerprints. */
function reading(cert: Certificate): unknown {
  return {
    version: cert.version,
    serial: cert.serialNumber,
    subject: cert.subject.text,
    issuer: cert.issuer.text,
    notBefore: cert.notBeforeMs,
    notAfter: cert.notAfterMs,
    sans: cert.subjectAltNames,
    key: cert.publicKey,
    signature: cert.signature,
    extensions: cert.extensions,
    extensionErrors: cert.extensionErrors,
  };
}

/** The minted leaf's tree, and the node at `path` (child indexes). */
function mutate(path: number[], change: (node: DerNode) => void): Uint8Array {
  const tree = cloneTree(decodeTree(minted).node);
  let node = tree;
  for (const index of path) node = (node.children as DerNode[])[index] as DerNode;
  change(node);
  return encodeTree(tree);
}
const SERIAL = [0, 1]; // Certificate > TBSCertificate > [version, serial, …]
const VALIDITY = [0, 4];

describe('the DER reader', () => {
  it('rejects 02 81 01 05 (a one-byte length in long form) and reads 02 01 05', () => {
    expect(() => readTlv(Uint8Array.from([0x02, 0x81, 0x01, 0x05]), 0, 4)).toThrow(
      /length 1 in long form at offset 0/,
    );
    expect(readTlv(Uint8Array.from([0x02, 0x01, 0x05]), 0, 3)).toEqual({
      tag: 2,
      offset: 0,
      start: 2,
      end: 3,
    });
  });

  it('rejects a length with a leading zero byte and an indefinite length', () => {
    expect(() =>
      readTlv(Uint8Array.from([0x04, 0x82, 0x00, 0x81, ...new Array(0x81).fill(0)]), 0, 0x85),
    ).toThrow(/leading zero byte at offset 0/);
    expect(() => readTlv(Uint8Array.from([0x30, 0x80, 0x00, 0x00]), 0, 4)).toThrow(DerError);
    // Near miss: 0x81 is the right form for 128..255 bytes.
    expect(
      readTlv(Uint8Array.from([0x04, 0x81, 0x80, ...new Array(0x80).fill(0)]), 0, 0x83).end,
    ).toBe(0x83);
  });
});

describe('parseCertificate accepts DER only', () => {
  it('re-encoding a real certificate minimally gives the same bytes (near miss of every case)', () => {
    for (const der of real)
      expect(Buffer.from(encodeTree(decodeTree(der).node))).toEqual(Buffer.from(der));
  });

  it('a non-minimal length: rejected, naming the offset', () => {
    const error = rejection(mutate(SERIAL, (n) => (n.length = 'long')));
    expect(error.message).toMatch(/malformed certificate: length \d+ in long form at offset \d+/);
  });

  it('a length padded with a zero byte: rejected', () => {
    expect(rejection(mutate([0], (n) => (n.length = 'padded'))).message).toMatch(
      /leading zero byte at offset 4/,
    );
  });

  it('an indefinite length: rejected', () => {
    expect(rejection(mutate(VALIDITY, (n) => (n.length = 'indefinite'))).message).toMatch(
      /indefinite length at offset \d+/,
    );
  });

  it('a wrong tag: rejected, saying what was expected where', () => {
    expect(rejection(mutate(VALIDITY, (n) => (n.tag = 0x31))).message).toMatch(
      /expected Validity \(tag 0x30\) at offset \d+, found tag 0x31/,
    );
  });

  it('trailing bytes after the certificate or inside a structure: rejected', () => {
    expect(rejection(Buffer.concat([minted, Buffer.from([0])])).message).toMatch(
      new RegExp(`1 trailing byte\\(s\\) at offset ${minted.length}`),
    );
    const extraTime = mutate(VALIDITY, (n) => n.children?.push({ ...(n.children[0] as DerNode) }));
    expect(rejection(extraTime).message).toMatch(
      /Validity at offset \d+ does not hold exactly two times/,
    );
  });

  it('a serial number with a redundant leading zero: rejected', () => {
    const padded = mutate(SERIAL, (n) => {
      n.content = Buffer.concat([Buffer.from([0]), n.content as Uint8Array]);
      if (((n.content[1] as number) & 0x80) !== 0)
        n.content = Buffer.concat([Buffer.from([0, 0]), n.content.subarray(1)]);
    });
    expect(rejection(padded).message).toMatch(
      /INTEGER with a redundant leading byte at offset \d+/,
    );
  });

  it('a BOOLEAN other than 00 or FF: rejected', () => {
    const tree = decodeTree(minted).node;
    const extensions = ((tree.children?.[0]?.children ?? []).find((n) => n.tag === 0xa3) as DerNode)
      .children?.[0];
    const index = (extensions?.children ?? []).findIndex((e) => e.children?.[1]?.tag === 0x01);
    expect(index).toBeGreaterThanOrEqual(0);
    const der = mutate([0, 7, 0, index, 1], (n) => (n.content = Uint8Array.from([0x01])));
    expect(rejection(der).message).toMatch(/BOOLEAN 0x1 at offset \d+/);
  });
});

describe('mutated lengths and tags of real certificates', () => {
  const trees = real.map((der) => ({
    der,
    tree: decodeTree(der).node,
    reading: reading(parseCertificate(der)),
  }));
  const forms: LengthForm[] = ['long', 'padded', 'indefinite'];

  it('a length in another form: always a CertificateParseError', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.constantFrom(...forms), (which, at, form) => {
        const sample = trees[which % trees.length] as (typeof trees)[number];
        const tree = cloneTree(sample.tree);
        const nodes = allNodes(tree);
        (nodes[at % nodes.length] as DerNode).length = form;
        expect(rejection(encodeTree(tree))).toBeInstanceOf(CertificateParseError);
      }),
      { numRuns: 400 },
    );
  });

  it('another tag on a structure: a CertificateParseError or the identical parse', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (which, at, tag) => {
        const sample = trees[which % trees.length] as (typeof trees)[number];
        const tree = cloneTree(sample.tree);
        const structures = allNodes(tree).filter((n) => n.children);
        const node = structures[at % structures.length] as DerNode;
        if (node.tag === tag) return;
        node.tag = tag;
        try {
          expect(reading(parseCertificate(encodeTree(tree)))).toEqual(sample.reading);
        } catch (error) {
          if (!(error instanceof CertificateParseError)) throw error;
          rejected++;
        }
      }),
      { numRuns: 400 },
    );
    expect(rejected).toBeGreaterThan(0);
  });
});
