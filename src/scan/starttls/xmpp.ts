import { type Conversation, refused } from './conversation.js';

// The features element ends the server's first reply; a stream error ends it too.
const FEATURES_END = /<\/stream:features>|<stream:features\s*\/>|<\/stream:error>/;

/** XMPP (RFC 6120): open a stream, read features, ask for starttls, expect proceed. */
export async function xmpp(conversation: Conversation, domain: string): Promise<void> {
  conversation.send(
    `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${escapeXml(domain)}' version='1.0'>`,
  );
  const features = (await readUntil(conversation, FEATURES_END)).toString('utf8');
  if (!/<starttls[\s>/]/.test(features))
    throw refused('XMPP server does not offer starttls', features);
  conversation.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  const answer = (await readUntil(conversation, /<proceed[^>]*>|<failure[^>]*>/)).toString('utf8');
  if (!/<proceed\b/.test(answer)) throw refused('XMPP starttls', answer);
}

function readUntil(conversation: Conversation, end: RegExp): Promise<Buffer> {
  return conversation.until((buffer) => {
    const text = buffer.toString('utf8');
    const match = end.exec(text);
    return match ? Buffer.byteLength(text.slice(0, match.index + match[0].length)) : -1;
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
