/**
 * Most bytes of a stapled OCSP response kept: a larger one is dropped (the chain is kept and
 * `ocspStaple` is null). It is OpenSSL's own limit on a TLS 1.2 CertificateStatus message
 * (16 KiB), less the message's 4 bytes of status type and length, so both handshakes keep the
 * same staples at either protocol version. Real responses take 1 to 4 KiB; one carrying its
 * responder's certificate chain fits too.
 */
export const MAX_STAPLE_BYTES = 16384 - 4;

/** status_type ocsp(1) of a CertificateStatus (RFC 6066 section 8). */
const STATUS_TYPE_OCSP = 1;

/** A staple as read from a handshake: the DER OCSPResponse, or why there is none. */
export type StapleReading =
  | { readonly staple: Uint8Array; readonly dropped?: undefined }
  | { readonly staple: null; readonly dropped?: string };

/** No staple, and nothing wrong with that: the server sent none. */
export const NO_STAPLE: StapleReading = { staple: null };

/**
 * Reads a CertificateStatus body (RFC 6066 section 8: status_type, then a 3-byte length and
 * the DER OCSPResponse), from a TLS 1.2 CertificateStatus message or a TLS 1.3 status_request
 * extension of the leaf's CertificateEntry. A body that is not exactly that, or a response
 * over {@link MAX_STAPLE_BYTES}, is dropped with the reason: a broken staple is the server's
 * fault to report, not a reason to lose its chain. The response is copied out of `body`.
 */
export function readCertificateStatus(body: Buffer): StapleReading {
  if (body.length < 4) return dropped(`a CertificateStatus of ${body.length} bytes`);
  const type = body[0] as number;
  if (type !== STATUS_TYPE_OCSP) return dropped(`a CertificateStatus of status_type ${type}`);
  const length = body.readUIntBE(1, 3);
  if (length !== body.length - 4) {
    return dropped(
      `a CertificateStatus claiming ${length} bytes of response where it holds ${body.length - 4}`,
    );
  }
  return keptStaple(body.subarray(4));
}

/**
 * The staple as `ocspStaple` holds it: a copy of `response`, null for an empty one, dropped
 * when over {@link MAX_STAPLE_BYTES}. Both handshakes pass what they read through it.
 */
export function keptStaple(response: Uint8Array | null | undefined): StapleReading {
  if (!response || response.length === 0) return NO_STAPLE;
  if (response.length > MAX_STAPLE_BYTES) return overCap(response.length);
  return { staple: Uint8Array.prototype.slice.call(response) };
}

/** A staple of `length` bytes, too large to keep. */
export function overCap(length: number): StapleReading {
  return dropped(
    `a stapled OCSP response of ${length} bytes, over the ${MAX_STAPLE_BYTES}-byte cap`,
  );
}

function dropped(reason: string): StapleReading {
  return { staple: null, dropped: reason };
}
