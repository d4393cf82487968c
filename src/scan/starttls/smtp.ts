import { type Conversation, refused } from './conversation.js';
import { numericReply } from './numeric-reply.js';

/**
 * SMTP (RFC 3207): greeting, EHLO, STARTTLS, 220. LMTP (RFC 2033) is the same exchange with
 * `LHLO` for `EHLO`, so it passes its own `name` and `hello`.
 */
export async function smtp(
  conversation: Conversation,
  ehloName: string,
  name = 'SMTP',
  hello = 'EHLO',
): Promise<void> {
  await numericReply(conversation, `${name} greeting`, '220');
  conversation.send(`${hello} ${ehloName}\r\n`);
  const ehlo = await numericReply(conversation, `${name} ${hello}`, '250');
  if (!ehlo.some((line) => /^250[- ]STARTTLS\b/i.test(line))) {
    throw refused(`${name} server does not offer STARTTLS`, ehlo.join('\n'));
  }
  conversation.send('STARTTLS\r\n');
  await numericReply(conversation, `${name} STARTTLS`, '220');
}
