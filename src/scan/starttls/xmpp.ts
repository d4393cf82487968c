import { type Conversation, refused } from './conversation.js';

// The features element ends the server's first reply; a stream error ends it too.
const FEATURES_END = /^<\/stream:features>$|^<stream:features\s*\/>$|^<\/stream:error>$/;
const ANSWER = /^<(proceed|failure)\b|^<\/stream:/;
const GREATER_THAN = 0x3e;

/** XMPP (RFC 6120): open a stream, read features, ask for starttls, expect proceed. */
export async function xmpp(conversation: Conversation, domain: string): Promise<void> {
  conversation.send(
    `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${escapeXml(domain)}' version='1.0'>`,
  );
  // A stream is XML from its first byte: anything else is another protocol speaking.
  const first = (await conversation.until(firstVisibleByte)).toString('latin1').trim();
  if (first !== '<') throw refused('XMPP: not an XML stream', conversation.heard());
  const features = `<${await readUntilTag(conversation, FEATURES_END)}`;
  if (!/<starttls[\s>/]/.test(features))
    throw refused('XMPP server does not offer starttls', features);
  conversation.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  const answer = await readUntilTag(conversation, ANSWER);
  if (!/<proceed\b/.test(answer)) throw refused('XMPP starttls', answer);
}

/**
 * Reads the stream one `>`-terminated piece at a time until a piece matches `last`: each
 * byte is looked at once, however the server splits its reply.
 */
async function readUntilTag(conversation: Conversation, last: RegExp): Promise<string> {
  let text = '';
  for (;;) {
    const piece = (await conversation.until(throughGreaterThan)).toString('utf8');
    text += piece;
    const tag = piece.slice(piece.lastIndexOf('<'));
    if (last.test(tag)) return text;
  }
}

function throughGreaterThan(buffer: Buffer, from: number): number {
  const end = buffer.indexOf(GREATER_THAN, from);
  return end < 0 ? -1 : end + 1;
}

function firstVisibleByte(buffer: Buffer, from: number): number {
  for (let i = from; i < buffer.length; i++) {
    const byte = buffer[i] as number;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return i + 1;
  }
  return -1;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
