import { type Conversation, refused } from './conversation.js';

// `:prefix command params` (RFC 2812 section 2.3.1). Servers put their name before every
// reply; only a few commands come bare, so an unprefixed `220 …` is another protocol.
const MESSAGE = /^(?::\S+ +([A-Za-z]+|\d{3})|(NOTICE|PING|ERROR))(?: |$)/i;

/**
 * IRC, as `openssl s_client -starttls irc` speaks it: `STARTTLS` at once (no `CAP LS`), then
 * lines until numeric 670 (RPL_STARTTLS). 691 (ERR_STARTTLS), a 421 or 451 about STARTTLS
 * (unknown command, not registered) or an `ERROR` is a refusal. Where OpenSSL gives up at the
 * first line that is not a numeric, the `NOTICE * :*** Looking up your hostname` lines that
 * servers send on connect and other numerics are read past, within the conversation's caps.
 */
export async function irc(conversation: Conversation): Promise<void> {
  conversation.send('STARTTLS\r\n');
  const lines: string[] = [];
  for (;;) {
    const line = await conversation.line();
    lines.push(line);
    const match = MESSAGE.exec(line);
    const command = (match?.[1] ?? match?.[2])?.toUpperCase();
    if (command === undefined) throw refused('IRC: not an IRC reply', lines.join('\n'));
    if (command === '670') return;
    if (command === '691' || command === 'ERROR') throw refused('IRC STARTTLS', lines.join('\n'));
    if ((command === '421' || command === '451') && /STARTTLS/i.test(line)) {
      throw refused('IRC STARTTLS', lines.join('\n'));
    }
  }
}
