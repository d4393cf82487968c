import { type Conversation, refused } from './conversation.js';

// LDAPMessage { messageID 1, extendedReq [APPLICATION 23] { requestName [0] "1.3.6.1.4.1.1466.20037" } }
const OID = Buffer.from('1.3.6.1.4.1.1466.20037', 'latin1');
const START_TLS = Buffer.concat([
  Uint8Array.of(0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, OID.length),
  OID,
]);

/** LDAP (RFC 4511 section 4.14): the StartTLS extended operation; resultCode 0 means go. */
export async function ldap(conversation: Conversation): Promise<void> {
  conversation.send(START_TLS);
  const message = await conversation.until(berElementLength);
  // Another protocol's banner or error (text, not BER) is shown as the text it is.
  if (message.length === 0) throw refused('LDAP StartTLS: not an LDAP reply', conversation.heard());
  const resultCode = extendedResultCode(message);
  if (resultCode === undefined) {
    throw refused('LDAP StartTLS: not an ExtendedResponse', message.toString('hex'));
  }
  if (resultCode !== 0) throw refused('LDAP StartTLS', `resultCode ${resultCode}`);
}

/** Length of the first complete BER element in the buffer, or -1 while incomplete. */
function berElementLength(buffer: Buffer): number {
  if (buffer.length === 0) return -1;
  if (buffer[0] !== 0x30) return 0; // not an LDAPMessage: let the caller reject it
  if (buffer.length < 2) return -1;
  const first = buffer[1] as number;
  if (first < 0x80) return buffer.length >= 2 + first ? 2 + first : -1;
  const octets = first & 0x7f;
  // Active Directory writes lengths in four bytes (0x84), whatever they hold. However long a
  // length claims to be, the conversation's cap ends the wait for it.
  if (octets === 0 || octets > 4) return 0;
  if (buffer.length < 2 + octets) return -1;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (buffer[2 + i] as number);
  const total = 2 + octets + length;
  return buffer.length >= total ? total : -1;
}

/** The resultCode of an ExtendedResponse, or undefined when the message is not one. */
function extendedResultCode(message: Buffer): number | undefined {
  let offset = headerLength(message, 0);
  if (offset === undefined || message[0] !== 0x30) return undefined;
  // messageID INTEGER
  if (message[offset] !== 0x02) return undefined;
  offset += 2 + (message[offset + 1] as number);
  // extendedResp [APPLICATION 24]
  if (message[offset] !== 0x78) return undefined;
  const inner = headerLength(message, offset);
  if (inner === undefined) return undefined;
  offset = inner;
  // resultCode ENUMERATED
  if (message[offset] !== 0x0a || message[offset + 1] !== 1) return undefined;
  return message[offset + 2];
}

/** Offset just past the tag and length of the element at `offset`. */
function headerLength(message: Buffer, offset: number): number | undefined {
  const first = message[offset + 1];
  if (first === undefined) return undefined;
  return first < 0x80 ? offset + 2 : offset + 2 + (first & 0x7f);
}
