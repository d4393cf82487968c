import { type Conversation, refused } from './conversation.js';

/** NNTP (RFC 4642): greeting 200 or 201, STARTTLS, 382. NNTP replies are one line each. */
export async function nntp(conversation: Conversation): Promise<void> {
  const greeting = await conversation.line();
  if (!/^20[01](?: |$)/.test(greeting)) throw refused('NNTP greeting', greeting);
  conversation.send('STARTTLS\r\n');
  const reply = await conversation.line();
  if (!/^382(?: |$)/.test(reply)) throw refused('NNTP STARTTLS', reply);
}
