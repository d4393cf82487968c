import type { Conversation } from './conversation.js';

/** NNTP (RFC 4642): greeting 200 or 201, STARTTLS, 382. NNTP replies are one line each. */
export async function nntp(conversation: Conversation): Promise<void> {
  await conversation.expectLine('NNTP greeting', /^20[01](?: |$)/);
  conversation.send('STARTTLS\r\n');
  await conversation.expectLine('NNTP STARTTLS', /^382(?: |$)/);
}
