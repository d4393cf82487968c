import { type Conversation, refused } from './conversation.js';

// RFC 3207. Replies are "ccc-text" continuation lines ending with a "ccc text" line.
const isLast = (line: string) => /^\d{3}(?: |$)/.test(line);

/** SMTP: greeting, EHLO, STARTTLS, 220. */
export async function smtp(conversation: Conversation, ehloName: string): Promise<void> {
  const greeting = await conversation.lines(isLast);
  if (!greeting.at(-1)?.startsWith('220')) throw refused('SMTP greeting', greeting.join('\n'));
  conversation.send(`EHLO ${ehloName}\r\n`);
  const ehlo = await conversation.lines(isLast);
  if (!ehlo.at(-1)?.startsWith('250')) throw refused('SMTP EHLO', ehlo.join('\n'));
  if (!ehlo.some((line) => /^250[- ]STARTTLS\b/i.test(line))) {
    throw refused('SMTP server does not offer STARTTLS', ehlo.join('\n'));
  }
  conversation.send('STARTTLS\r\n');
  const reply = await conversation.lines(isLast);
  if (!reply.at(-1)?.startsWith('220')) throw refused('SMTP STARTTLS', reply.join('\n'));
}
