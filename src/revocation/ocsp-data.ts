// What an OCSP response says, as read by either reader (ocsp-der.ts for staples, ocsp-pkijs.ts
// for fetched responses): the judge in ocsp-response.ts checks only this.

export const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';

/** An OCSPResponse (RFC 6960 §4.2.1). */
export interface OcspResponseData {
  /** responseStatus: 0 is successful. */
  readonly status: number;
  /** The OID of responseBytes' responseType; `null` without responseBytes. */
  readonly responseType: string | null;
  /** The BasicOCSPResponse, when `responseType` is id-pkix-ocsp-basic. */
  readonly basic: BasicResponseData | null;
}

/** A BasicOCSPResponse: the signed ResponseData and what signs it. */
export interface BasicResponseData {
  /** The DER of tbsResponseData, as signed. */
  readonly tbs: Uint8Array;
  /** The DER of the responder's Name (ResponderID byName), or `null`. */
  readonly responderName: Uint8Array | null;
  /** The SHA-1 of the responder's key (ResponderID byKey), or `null`. */
  readonly responderKeyHash: Uint8Array | null;
  readonly responses: readonly SingleResponseData[];
  readonly signatureAlgorithm: SignatureAlgorithmData;
  readonly signature: Uint8Array;
  /** The DER of each certificate the response includes. */
  readonly certs: readonly Uint8Array[];
}

/** An AlgorithmIdentifier; `algorithmParams` (asn1js) only for RSASSA-PSS. */
export interface SignatureAlgorithmData {
  readonly algorithmId: string;
  readonly algorithmParams?: unknown;
}

/** A SingleResponse: one certificate's status. */
export interface SingleResponseData {
  readonly hashAlgorithm: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  /** The serial number as `Certificate.serialNumber` writes it. */
  readonly serialNumber: string;
  readonly certStatus: 'good' | 'revoked' | 'unknown';
  /** For `revoked`: the revocation time (ms) and the CRLReason value, if given. */
  readonly revokedAt: number | null;
  readonly reason: number | undefined;
  readonly thisUpdate: number;
  readonly nextUpdate: number | null;
}
