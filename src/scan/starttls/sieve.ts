import { type Conversation, refused } from './conversation.js';

// A capability line is a quoted name, maybe a quoted value; the greeting ends with a status.
const CAPABILITY = /^"[^"]*"/;
const STATUS = /^(OK|NO|BYE)\b/i;

/**
 * ManageSieve (RFC 5804): capability lines up to `OK`, `"STARTTLS"` among them, `STARTTLS`,
 * `OK`.
 */
export async function sieve(conversation: Conversation): Promise<void> {
  const lines = await conversation.lines((line) => !CAPABILITY.test(line));
  const status = lines.at(-1) ?? '';
  if (!/^OK\b/i.test(status)) {
    throw refused(
      STATUS.test(status) ? 'ManageSieve greeting' : 'ManageSieve: not a ManageSieve greeting',
      lines.join('\n'),
    );
  }
  if (!lines.some((line) => /^"STARTTLS"/i.test(line))) {
    throw refused('ManageSieve server does not offer STARTTLS', lines.join('\n'));
  }
  conversation.send('STARTTLS\r\n');
  await conversation.expectLine('ManageSieve STARTTLS', /^OK\b/i);
}
