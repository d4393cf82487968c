// The certificates of the inventory scale run, minted once per invocation and handed to the
// plain-Node workers as files (DER in one, the rest as JSON): one root, 20 intermediates (four of them RSA), 20,000 leaves
// spread round-robin under them, on three shared leaf keys.
import { sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  generateKey,
  type Issued,
  type KeyPair,
} from '../test/helpers/pki.js';
import { failure, success } from '../test/inventory/fixtures.js';

const DAY = 86_400_000;

/** How the scale run's result stream is laid out; the workers read it from the fixture. */
export interface ScaleLayout {
  /** Scan results in the stream (a prefix of the permuted targets). */
  readonly results: number;
  /** Every `liveEvery`-th result of the stream succeeds (50: 2% live). */
  readonly liveEvery: number;
  /** Seed of the stream's target order. */
  readonly seed: number;
  /** The /16 scanned, as its first two octets. */
  readonly prefix: string;
  /** The 16 ports scanned on every address. */
  readonly ports: readonly number[];
}

/** The layout the issue asks for: a /16 × 16 ports, 1,000,000 results, 2% live. */
export const SCALE_LAYOUT: ScaleLayout = {
  results: 1_000_000,
  liveEvery: 50,
  seed: 0x5ca1e,
  prefix: '10.77',
  ports: [443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 2376, 4443, 5061, 6443, 8443, 9443],
};

/** Intermediates; leaf `i` is issued by intermediate `i % INTERMEDIATES`. */
export const INTERMEDIATES = 20;

/**
 * Mints one leaf per live result of `layout` under {@link INTERMEDIATES} intermediates and
 * writes them with `layout` to `path` (and their DER to `<path>.der`). Leaves expire spread over the coming year, so the
 * expiry queries find some. Returns the seconds minting took.
 *
 * @example
 * ```ts
 * const seconds = writeScaleFixture('/tmp/fixture.json', SCALE_LAYOUT);
 * ```
 */
export function writeScaleFixture(path: string, layout: ScaleLayout): number {
  const started = Date.now();
  const root = createRoot({ subject: 'Scale Root', key: 'rsa2048' });
  const intermediates = Array.from({ length: INTERMEDIATES }, (_, i) =>
    i % 5 === 4
      ? createIntermediate(root, { subject: `Scale RSA CA ${i}`, key: 'rsa2048' })
      : createIntermediate(root, { subject: `Scale EC CA ${i}` }),
  );
  const keys = [generateKey('ec256'), generateKey('rsa2048'), generateKey('ec384')];
  const now = Date.now();
  const count = Math.ceil(layout.results / layout.liveEvery);
  const leaves = mintLeaves(
    intermediates,
    keys,
    count,
    (i) => new Date(now + ((i * 7919) % 365) * DAY + DAY),
    new Date(now - 30 * DAY),
  );
  // The results are shaped after the inventory tests' fixtures; the workers fill in target,
  // address, chain and error code.
  const templates = {
    ok: success('0.0.0.0', 443, []),
    refused: failure('0.0.0.0', 443, 'REFUSED'),
    timeout: failure('0.0.0.0', 443, 'TIMEOUT'),
  };
  // DER goes to a file of its own, read as one buffer: 20,000 certificates as base64 in JSON
  // would cost the workers some 60 MB of peak RSS just to load.
  const der = [...intermediates.map((c) => c.der), ...leaves];
  writeFileSync(`${path}.der`, Buffer.concat(der));
  writeFileSync(
    path,
    JSON.stringify({
      rootPem: root.pem,
      der: {
        file: `${path}.der`,
        intermediates: intermediates.map((c) => c.der.length),
        leaves: leaves.map((c) => c.length),
      },
      layout,
      templates,
    }),
  );
  return (Date.now() - started) / 1000;
}

const MARK = Buffer.from('QQQQQ');

/**
 * Leaf `i` (subject `host<i>.scale.test`, SANs `host<i>` and `www<i>`, a serial ending in
 * `i`, expiring at `notAfter(i)`) under intermediate `i % 20`. Minting 20,000 certificates
 * through the PKI helper takes about a minute, nearly all of it building ASN.1 objects, so
 * one template per intermediate is minted with it and each leaf is that template's
 * to-be-signed bytes with the digits, serial and date written in, signed again.
 */
function mintLeaves(
  intermediates: Issued[],
  keys: KeyPair[],
  count: number,
  notAfter: (i: number) => Date,
  notBefore: Date,
): Buffer[] {
  if (count > 99_999) throw new Error(`at most 99,999 leaves, not ${count}`);
  const templates = intermediates.map((ca, c) => {
    const leaf = createLeaf(ca, {
      keyPair: keys[c % keys.length] as KeyPair,
      subject: `host${MARK}.scale.test`,
      san: { dns: [`host${MARK}.scale.test`, `www${MARK}.scale.test`] },
      notBefore,
      notAfter: notAfter(0),
    });
    const certificate = children(leaf.der, 0);
    const tbsAt = certificate[0] as Element;
    const algorithm = certificate[1] as Element;
    const tbs = leaf.der.subarray(tbsAt.start, tbsAt.end);
    const fields = children(tbs, 0);
    // version [0], serialNumber, signature, issuer, validity, subject, …
    const serial = fields[1] as Element;
    const validity = children(tbs, (fields[4] as Element).start);
    const expiry = validity[1] as Element;
    const marks: number[] = [];
    for (let at = tbs.indexOf(MARK); at >= 0; at = tbs.indexOf(MARK, at + 1)) marks.push(at);
    if (marks.length !== 3 || expiry.end - expiry.body !== 13) {
      throw new Error('the leaf template does not have the expected shape');
    }
    return {
      ca,
      tbs,
      algorithm: leaf.der.subarray(algorithm.start, algorithm.end),
      marks,
      serialEnd: serial.end,
      expiry: expiry.body,
    };
  });
  return Array.from({ length: count }, (_, i) => {
    const template = templates[i % templates.length] as (typeof templates)[number];
    const tbs = Buffer.from(template.tbs);
    const digits = String(i).padStart(MARK.length, '0');
    for (const at of template.marks) tbs.write(digits, at, 'latin1');
    tbs.writeUInt32BE(i, template.serialEnd - 4);
    tbs.write(utcTime(notAfter(i)), template.expiry, 'latin1');
    const signature = sign('sha256', tbs, template.ca.key.privateKey);
    const bits = Buffer.concat([Buffer.from([0]), signature]);
    const body = Buffer.concat([tbs, template.algorithm, header(0x03, bits.length), bits]);
    return Buffer.concat([header(0x30, body.length), body]);
  });
}

interface Element {
  /** Offset of the tag. */
  start: number;
  /** Offset of the contents. */
  body: number;
  /** Offset just past the element. */
  end: number;
}

/** The elements inside the constructed DER element at `offset` of `der`. */
function children(der: Buffer, offset: number): Element[] {
  const outer = element(der, offset);
  const found: Element[] = [];
  for (let at = outer.body; at < outer.end; ) {
    const child = element(der, at);
    found.push(child);
    at = child.end;
  }
  return found;
}

function element(der: Buffer, start: number): Element {
  const first = der[start + 1] as number;
  if (first < 0x80) return { start, body: start + 2, end: start + 2 + first };
  const size = first & 0x7f;
  const length = der.readUIntBE(start + 2, size);
  return { start, body: start + 2 + size, end: start + 2 + size + length };
}

function header(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  if (length < 0x100) return Buffer.from([tag, 0x81, length]);
  return Buffer.from([tag, 0x82, length >> 8, length & 255]);
}

/** `YYMMDDHHMMSSZ`, as the template's UTCTime (dates before 2050). */
function utcTime(date: Date): string {
  return `${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`;
}
