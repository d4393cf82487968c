import type { Conversation } from './conversation.js';
import { numericReply } from './numeric-reply.js';

/** FTP (RFC 4217): 220 greeting, AUTH TLS, 234. */
export async function ftp(conversation: Conversation): Promise<void> {
  await numericReply(conversation, 'FTP greeting', '220', 'free');
  conversation.send('AUTH TLS\r\n');
  await numericReply(conversation, 'FTP AUTH TLS', '234', 'free');
}
