import * as asn1js from 'asn1js';
import { ProbeFailure } from '../failure.js';
import { type Conversation, refused } from './conversation.js';

/** The messageID of the StartTLS request: the first and only request of the connection. */
const MESSAGE_ID = 1;
// LDAPMessage { messageID 1, extendedReq [APPLICATION 23] { requestName [0] "1.3.6.1.4.1.1466.20037" } }
const OID = Buffer.from('1.3.6.1.4.1.1466.20037', 'latin1');
const START_TLS = Buffer.concat([
  Uint8Array.of(0x30, 0x1d, 0x02, 0x01, MESSAGE_ID, 0x77, 0x18, 0x80, OID.length),
  OID,
]);
/** Tag class of APPLICATION tags, as asn1js numbers them (universal is 1). */
const APPLICATION = 2;
const EXTENDED_RESPONSE = 24;

/**
 * LDAP (RFC 4511 section 4.14): the StartTLS extended operation. The reply must be an
 * ExtendedResponse to our request's messageID; resultCode 0 means go. A Notice of
 * Disconnection (messageID 0) or any other resultCode is a refusal, with the server's
 * diagnosticMessage; a reply to another message is a PROTOCOL failure.
 */
export async function ldap(conversation: Conversation): Promise<void> {
  conversation.send(START_TLS);
  const message = await conversation.until(berElementLength);
  // Another protocol's banner or error (text, not BER) is shown as the text it is.
  if (message.length === 0) throw refused('LDAP StartTLS: not an LDAP reply', conversation.heard());
  const response = readExtendedResponse(message);
  if (!response) throw refused('LDAP StartTLS: not an ExtendedResponse', message.toString('hex'));
  if (response.messageId === 0) {
    throw refused('LDAP StartTLS: the server disconnects', noticeOf(response));
  }
  if (response.messageId !== MESSAGE_ID) {
    throw new ProbeFailure(
      'PROTOCOL',
      `LDAP StartTLS: a reply to message ${response.messageId}, where the request was message ${MESSAGE_ID}`,
    );
  }
  if (response.resultCode !== 0) throw refused('LDAP StartTLS', noticeOf(response));
}

/**
 * Length of the first complete BER element in the buffer, 0 when the buffer does not start
 * an LDAPMessage (a SEQUENCE), or -1 while it is incomplete. However long a length claims to
 * be, the conversation's cap ends the wait for it.
 */
function berElementLength(buffer: Buffer): number {
  if (buffer.length === 0) return -1;
  if (buffer[0] !== 0x30) return 0; // not an LDAPMessage: let the caller reject it
  const { offset, result } = asn1js.fromBER(buffer);
  if (offset > 0) return offset;
  // Active Directory writes lengths in four bytes (0x84), whatever they hold: BER allows it.
  return result.error.startsWith('End of input reached') ? -1 : 0;
}

interface ExtendedResponse {
  readonly messageId: number;
  readonly resultCode: number;
  readonly diagnosticMessage: string;
}

/**
 * The messageID, resultCode and diagnosticMessage of an LDAPMessage carrying an
 * ExtendedResponse (`[APPLICATION 24] SEQUENCE { resultCode ENUMERATED, matchedDN,
 * diagnosticMessage, … }`), or undefined when the message is not one.
 */
function readExtendedResponse(message: Buffer): ExtendedResponse | undefined {
  const { result } = asn1js.fromBER(message);
  if (!(result instanceof asn1js.Sequence)) return undefined;
  const [messageId, operation] = result.valueBlock.value;
  if (!(messageId instanceof asn1js.Integer) || !(operation instanceof asn1js.Constructed))
    return undefined;
  const { tagClass, tagNumber } = operation.idBlock;
  if (tagClass !== APPLICATION || tagNumber !== EXTENDED_RESPONSE) return undefined;
  const [resultCode, , diagnostic] = operation.valueBlock.value;
  if (!(resultCode instanceof asn1js.Enumerated)) return undefined;
  return {
    messageId: messageId.valueBlock.valueDec,
    resultCode: resultCode.valueBlock.valueDec,
    diagnosticMessage:
      diagnostic instanceof asn1js.OctetString
        ? Buffer.from(diagnostic.valueBlock.valueHexView).toString('utf8')
        : '',
  };
}

function noticeOf(response: ExtendedResponse): string {
  const text = response.diagnosticMessage.replace(/[^\x20-\x7e]/g, '?');
  return text ? `resultCode ${response.resultCode} (${text})` : `resultCode ${response.resultCode}`;
}
