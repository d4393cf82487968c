import { type Conversation, refused } from './conversation.js';

// SSLRequest: length 8, then the magic request code 80877103.
const SSL_REQUEST = Uint8Array.of(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f);

/** PostgreSQL: SSLRequest, answered by one byte: S (go ahead) or N (no TLS). */
export async function postgres(conversation: Conversation): Promise<void> {
  conversation.send(SSL_REQUEST);
  const answer = (await conversation.bytes(1)).toString('latin1');
  if (answer === 'S') return;
  if (answer === 'N') throw refused('PostgreSQL SSLRequest', 'N (server does not accept TLS)');
  throw refused('PostgreSQL SSLRequest: not a PostgreSQL reply', conversation.heard());
}
