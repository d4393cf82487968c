import { type Conversation, refused } from './conversation.js';

// The features element ends the server's first reply; a stream error ends it too.
const FEATURES_END = /^<\/stream:features>$|^<stream:features\s*\/>$|^<\/stream:error>$/;
const ANSWER = /^<(proceed|failure)\b|^<\/stream:/;
const GREATER_THAN = 0x3e;
const LESS_THAN = 0x3c;

/**
 * XMPP (RFC 6120): open a stream, read features, ask for starttls, expect proceed. `namespace`
 * is the stream's content namespace: `jabber:client` for a client port, `jabber:server` for
 * server-to-server.
 */
export async function xmpp(
  conversation: Conversation,
  domain: string,
  namespace: 'jabber:client' | 'jabber:server' = 'jabber:client',
): Promise<void> {
  conversation.send(
    `<?xml version='1.0'?><stream:stream xmlns='${namespace}' xmlns:stream='http://etherx.jabber.org/streams' to='${escapeXml(domain)}' version='1.0'>`,
  );
  // A stream is XML from its first byte: anything else is another protocol speaking.
  const first = (await conversation.until(firstVisibleByte)).toString('latin1').trim();
  if (first !== '<') throw refused('XMPP: not an XML stream', conversation.heard());
  const features = `<${await readUntilTag(conversation, FEATURES_END)}`;
  if (!/<starttls[\s>/]/.test(features)) {
    // The features say what the server offers; the stream header before them, little.
    const offered = features.indexOf('<stream:features');
    throw refused('XMPP server does not offer starttls', features.slice(Math.max(0, offered)));
  }
  conversation.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  const answer = await readUntilTag(conversation, ANSWER);
  if (!/<proceed\b/.test(answer)) throw refused('XMPP starttls', answer);
}

/**
 * Reads the stream up to the first tag matching `last`, looking at each byte once however the
 * server splits its reply: every `>` since the last look ends a tag to test.
 */
async function readUntilTag(conversation: Conversation, last: RegExp): Promise<string> {
  const reply = await conversation.until((buffer, from) => {
    for (let end = buffer.indexOf(GREATER_THAN, from); end >= 0; ) {
      // The tag's start: back to the previous `>` at most, so each byte is passed once.
      let open = end - 1;
      while (open >= 0 && buffer[open] !== LESS_THAN && buffer[open] !== GREATER_THAN) open--;
      if (open >= 0 && buffer[open] === LESS_THAN) {
        if (last.test(buffer.toString('latin1', open, end + 1))) return end + 1;
      }
      end = buffer.indexOf(GREATER_THAN, end + 1);
    }
    return -1;
  });
  return reply.toString('utf8');
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
