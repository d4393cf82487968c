// Reading a fetched OCSP response with pkijs (OCSPResponse, BasicOCSPResponse), the reference
// the staple reader (ocsp-der.ts) is tested against. A fetch takes milliseconds of network
// time, so the millisecond pkijs's schema matching takes does not count here.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  BASIC_RESPONSE,
  type BasicResponseData,
  type OcspResponseData,
  type SingleResponseData,
} from './ocsp-data.js';
import { bitStringBytes, serialHex } from './signed.js';

/** Reads a DER OCSPResponse with pkijs; throws whatever pkijs throws on what it cannot read. */
export function readOcspPkijs(der: Uint8Array): OcspResponseData {
  const response = pkijs.OCSPResponse.fromBER(der);
  const status = response.responseStatus.valueBlock.valueDec;
  const responseType = response.responseBytes?.responseType ?? null;
  if (!response.responseBytes || responseType !== BASIC_RESPONSE) {
    return { status, responseType, basic: null };
  }
  // asn1js already read the OCTET STRING's contents as DER: use that, not a second parse.
  const octets = response.responseBytes.response;
  const inner = octets.valueBlock.value[0];
  const block =
    inner?.valueBeforeDecodeView.byteLength === octets.valueBlock.valueHexView.byteLength
      ? inner
      : asn1js.fromBER(octets.valueBlock.valueHexView).result;
  const basic = new pkijs.BasicOCSPResponse({ schema: block });
  return { status, responseType, basic: basicOf(basic, block as asn1js.Sequence) };
}

function basicOf(basic: pkijs.BasicOCSPResponse, block: asn1js.Sequence): BasicResponseData {
  const data = basic.tbsResponseData;
  const id = data.responderID as pkijs.RelativeDistinguishedNames | asn1js.OctetString;
  const byName = id instanceof pkijs.RelativeDistinguishedNames;
  return {
    tbs: data.tbsView,
    responderName: byName ? new Uint8Array(id.valueBeforeDecode) : null,
    responderKeyHash: byName ? null : id.valueBlock.valueHexView,
    responses: data.responses.map(singleOf),
    signatureAlgorithm: {
      algorithmId: basic.signatureAlgorithm.algorithmId,
      algorithmParams: basic.signatureAlgorithm.algorithmParams,
    },
    signature: bitStringBytes(basic.signature),
    // The certificates as received, not re-encoded from what pkijs made of them.
    certs: basic.certs ? certsOf(block) : [],
  };
}

/** The DER of the certificates in `[0] EXPLICIT SEQUENCE OF Certificate`, schema-checked. */
function certsOf(block: asn1js.Sequence): Uint8Array[] {
  const tagged = block.valueBlock.value[3] as asn1js.Constructed;
  const list = tagged.valueBlock.value[0] as asn1js.Sequence;
  return list.valueBlock.value.map((cert) => new Uint8Array(cert.valueBeforeDecodeView));
}

function singleOf(single: pkijs.SingleResponse): SingleResponseData {
  const status = single.certStatus as asn1js.BaseBlock;
  const tag = status.idBlock.tagNumber;
  const certStatus = tag === 0 ? 'good' : tag === 1 ? 'revoked' : tag === 2 ? 'unknown' : null;
  if (!certStatus) throw new Error('a certificate status of unknown form');
  let revokedAt: number | null = null;
  let reason: number | undefined;
  if (certStatus === 'revoked') {
    const parts = (status as asn1js.Constructed).valueBlock.value ?? [];
    const time = parts[0];
    revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate().getTime() : null;
    const enumerated = (parts[1] as asn1js.Constructed | undefined)?.valueBlock.value?.[0];
    reason = enumerated instanceof asn1js.Enumerated ? enumerated.valueBlock.valueDec : undefined;
  }
  return {
    hashAlgorithm: single.certID.hashAlgorithm.algorithmId,
    issuerNameHash: single.certID.issuerNameHash.valueBlock.valueHexView,
    issuerKeyHash: single.certID.issuerKeyHash.valueBlock.valueHexView,
    serialNumber: serialHex(single.certID.serialNumber),
    certStatus,
    revokedAt,
    reason,
    thisUpdate: single.thisUpdate.getTime(),
    nextUpdate: single.nextUpdate?.getTime() ?? null,
  };
}
