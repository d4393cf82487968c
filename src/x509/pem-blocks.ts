import { CertificateParseError, CertificateTooLargeError } from '../errors.js';

/** One `CERTIFICATE` block of a PEM text: its DER, or why it could not be decoded. */
export interface PemBlock {
  /** Position of the block among the certificate blocks, from 0. */
  index: number;
  /** Line of the `-----BEGIN` marker, from 1. */
  line: number;
  der: Uint8Array;
  error: CertificateParseError | undefined;
}

const BEGIN = /-----BEGIN ((?:TRUSTED |X509 )?CERTIFICATE)-----/g;
const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

/**
 * Finds the certificate blocks of a PEM text. Other blocks (keys, CRLs) are skipped. The size
 * limit is checked on the base64 length, before decoding.
 */
export function* pemBlocks(text: string, maxBytes: number): Generator<PemBlock> {
  // Each walk has its own position: two walks may be interleaved.
  const begin = new RegExp(BEGIN);
  const lines = new LineCounter(text);
  let index = 0;
  for (let match = begin.exec(text); match; match = begin.exec(text)) {
    const line = lines.at(match.index);
    const label = match[1] as string;
    const endMarker = `-----END ${label}-----`;
    const bodyStart = match.index + match[0].length;
    const end = text.indexOf(endMarker, bodyStart);
    const position = `PEM block ${index + 1} (line ${line})`;
    if (end < 0) {
      yield {
        index: index++,
        line,
        der: new Uint8Array(),
        error: new CertificateParseError({ message: `${position}: no "${endMarker}" line` }),
      };
      return;
    }
    begin.lastIndex = end + endMarker.length;
    const body = text.slice(bodyStart, end);
    let error: CertificateParseError | undefined;
    let der: Uint8Array = new Uint8Array();
    const bodyLength = body.replace(/\s+/g, '').length;
    const size = Math.floor((bodyLength * 3) / 4);
    if (size > maxBytes + 2) {
      error = new CertificateTooLargeError({ size, limit: maxBytes });
      error.message = `${position}: ${error.message}`;
    } else if (!BASE64.test(body) || bodyLength % 4 !== 0 || bodyLength === 0) {
      error = new CertificateParseError({ message: `${position}: the body is not valid base64` });
    } else {
      der = Buffer.from(body, 'base64');
      if (label === 'TRUSTED CERTIFICATE') der = firstElement(der);
    }
    yield { index: index++, line, der, error };
  }
}

/** OpenSSL's TRUSTED CERTIFICATE appends trust settings after the certificate: drop them. */
function firstElement(der: Uint8Array): Uint8Array {
  if (der.length < 2 || der[0] !== 0x30) return der;
  let length = der[1] as number;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count && i < 4; i++) length = length * 256 + (der[2 + i] as number);
    header += count;
  }
  return der.subarray(0, Math.min(der.length, header + length));
}

/** Line numbers of offsets that only grow, counted from where the previous one ended. */
class LineCounter {
  #offset = 0;
  #line = 1;

  constructor(private readonly text: string) {}

  /** The line (from 1) of `offset`, which is not before the previous call's. */
  at(offset: number): number {
    for (let i = this.text.indexOf('\n', this.#offset); i >= 0 && i < offset; ) {
      this.#line++;
      i = this.text.indexOf('\n', i + 1);
    }
    this.#offset = offset;
    return this.#line;
  }
}
