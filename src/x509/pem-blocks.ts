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
  BEGIN.lastIndex = 0;
  let index = 0;
  for (let match = BEGIN.exec(text); match; match = BEGIN.exec(text)) {
    const line = countLines(text, match.index);
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
        error: new CertificateParseError(`${position}: no "${endMarker}" line`),
      };
      return;
    }
    BEGIN.lastIndex = end + endMarker.length;
    const body = text.slice(bodyStart, end);
    let error: CertificateParseError | undefined;
    let der: Uint8Array = new Uint8Array();
    const bodyLength = body.replace(/\s+/g, '').length;
    if (Math.floor((bodyLength * 3) / 4) > maxBytes + 2) {
      error = new CertificateTooLargeError(Math.floor((bodyLength * 3) / 4), maxBytes);
      error.message = `${position}: ${error.message}`;
    } else if (!BASE64.test(body) || bodyLength % 4 !== 0 || bodyLength === 0) {
      error = new CertificateParseError(`${position}: the body is not valid base64`);
    } else {
      der = new Uint8Array(Buffer.from(body, 'base64'));
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

function countLines(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
