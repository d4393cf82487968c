import type { Conversation } from './conversation.js';

/** POP3 (RFC 2595): +OK greeting, STLS, +OK. */
export async function pop3(conversation: Conversation): Promise<void> {
  await conversation.expectLine('POP3 greeting', /^\+OK/);
  conversation.send('STLS\r\n');
  await conversation.expectLine('POP3 STLS', /^\+OK/);
}
