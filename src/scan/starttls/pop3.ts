import { type Conversation, refused } from './conversation.js';

/** POP3 (RFC 2595): +OK greeting, STLS, +OK. */
export async function pop3(conversation: Conversation): Promise<void> {
  const greeting = await conversation.line();
  if (!greeting.startsWith('+OK')) throw refused('POP3 greeting', greeting);
  conversation.send('STLS\r\n');
  const reply = await conversation.line();
  if (!reply.startsWith('+OK')) throw refused('POP3 STLS', reply);
}
