import { type Conversation, refused } from './conversation.js';
import { numericReply } from './numeric-reply.js';

/** FTP (RFC 4217): 220 greeting, AUTH TLS, 234. */
export async function ftp(conversation: Conversation): Promise<void> {
  const greeting = await numericReply(conversation, 'FTP greeting');
  if (!greeting.at(-1)?.startsWith('220')) throw refused('FTP greeting', greeting.join('\n'));
  conversation.send('AUTH TLS\r\n');
  const reply = await numericReply(conversation, 'FTP AUTH TLS');
  if (!reply.at(-1)?.startsWith('234')) throw refused('FTP AUTH TLS', reply.join('\n'));
}
