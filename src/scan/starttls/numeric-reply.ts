import { type Conversation, refused } from './conversation.js';

/**
 * Reads one reply of a protocol with three-digit reply codes (SMTP, FTP): "250-…"
 * continuation lines up to a "250 …" line, which must carry the `expected` code. A first line
 * of another shape means the server does not speak the protocol; another code means it said
 * no. Either is reported with what it said.
 *
 * `inner` says what the lines between the first and the last may be: `'coded'`, each with a
 * code (SMTP, RFC 5321 section 4.2.1); `'free'`, any text until a line that starts with the
 * first line's code and a space (FTP, RFC 959 section 4.2, where servers print banners
 * unprefixed). The conversation's line and byte caps bound either.
 */
export async function numericReply(
  conversation: Conversation,
  what: string,
  expected: string,
  inner: 'coded' | 'free' = 'coded',
): Promise<string[]> {
  const lines: string[] = [];
  let code: string | undefined;
  for (;;) {
    const line = await conversation.line();
    lines.push(line);
    if (code !== undefined && inner === 'free') {
      if (line !== code && !line.startsWith(`${code} `)) continue;
    } else if (!/^\d{3}(?:[ -]|$)/.test(line)) {
      throw refused(`${what}: not a ${what.split(' ')[0]} reply`, lines.join('\n'));
    }
    if (line.length === 3 || line[3] === ' ') {
      if (!line.startsWith(expected)) throw refused(what, lines.join('\n'));
      return lines;
    }
    code = line.slice(0, 3);
  }
}
