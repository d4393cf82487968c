import { type Conversation, refused } from './conversation.js';

/** IMAP (RFC 3501): untagged OK greeting, then a tagged STARTTLS. */
export async function imap(conversation: Conversation): Promise<void> {
  await conversation.expectLine('IMAP greeting', /^\* (OK|PREAUTH)\b/i);
  conversation.send('cs1 STARTTLS\r\n');
  const lines = await conversation.lines((line) => line.startsWith('cs1 '));
  const status = lines.at(-1) ?? '';
  if (!/^cs1 OK\b/i.test(status)) throw refused('IMAP STARTTLS', lines.join('\n'));
}
