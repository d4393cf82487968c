import { type Conversation, refused } from './conversation.js';
import { numericReply } from './numeric-reply.js';

/** SMTP (RFC 3207): greeting, EHLO, STARTTLS, 220. */
export async function smtp(conversation: Conversation, ehloName: string): Promise<void> {
  await numericReply(conversation, 'SMTP greeting', '220');
  conversation.send(`EHLO ${ehloName}\r\n`);
  const ehlo = await numericReply(conversation, 'SMTP EHLO', '250');
  if (!ehlo.some((line) => /^250[- ]STARTTLS\b/i.test(line))) {
    throw refused('SMTP server does not offer STARTTLS', ehlo.join('\n'));
  }
  conversation.send('STARTTLS\r\n');
  await numericReply(conversation, 'SMTP STARTTLS', '220');
}
