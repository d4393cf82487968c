import { type Conversation, refused } from './conversation.js';
import { numericReply } from './numeric-reply.js';

/** SMTP (RFC 3207): greeting, EHLO, STARTTLS, 220. */
export async function smtp(conversation: Conversation, ehloName: string): Promise<void> {
  const greeting = await numericReply(conversation, 'SMTP greeting');
  if (!greeting.at(-1)?.startsWith('220')) throw refused('SMTP greeting', greeting.join('\n'));
  conversation.send(`EHLO ${ehloName}\r\n`);
  const ehlo = await numericReply(conversation, 'SMTP EHLO');
  if (!ehlo.at(-1)?.startsWith('250')) throw refused('SMTP EHLO', ehlo.join('\n'));
  if (!ehlo.some((line) => /^250[- ]STARTTLS\b/i.test(line))) {
    throw refused('SMTP server does not offer STARTTLS', ehlo.join('\n'));
  }
  conversation.send('STARTTLS\r\n');
  const reply = await numericReply(conversation, 'SMTP STARTTLS');
  if (!reply.at(-1)?.startsWith('220')) throw refused('SMTP STARTTLS', reply.join('\n'));
}
