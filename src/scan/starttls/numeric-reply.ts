import { type Conversation, refused } from './conversation.js';

/**
 * Reads one reply of a protocol with three-digit reply codes (SMTP, FTP): "250-…"
 * continuation lines up to a "250 …" line, which must carry the `expected` code. A line of
 * another shape means the server does not speak the protocol; another code means it said
 * no. Either is reported with what it said.
 */
export async function numericReply(
  conversation: Conversation,
  what: string,
  expected: string,
): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await conversation.line();
    lines.push(line);
    if (!/^\d{3}(?:[ -]|$)/.test(line))
      throw refused(`${what}: not a ${what.split(' ')[0]} reply`, lines.join('\n'));
    if (line.length === 3 || line[3] === ' ') {
      if (!line.startsWith(expected)) throw refused(what, lines.join('\n'));
      return lines;
    }
  }
}
