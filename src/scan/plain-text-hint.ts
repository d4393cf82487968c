// The hint a NOT_TLS failure gets when the server greeted in the plain text of a STARTTLS
// protocol. It lives apart from failure.ts because it reads the STARTTLS registry, which
// itself builds on failure.ts.
import { ProbeFailure } from './failure.js';
import { plainTextProtocols } from './starttls/index.js';

/**
 * A NOT_TLS failure whose reply starts with the plain-text greeting of a STARTTLS protocol,
 * with a hint naming the protocol to try. Only a failed handshake pays for the look.
 */
export function withPlainTextHint(failure: ProbeFailure): ProbeFailure {
  if (failure.code !== 'NOT_TLS' || failure.reply === undefined) return failure;
  const protocols = plainTextProtocols(failure.reply);
  if (protocols.length === 0) return failure;
  const like = protocols.map((protocol) => protocol.title).join(' or ');
  const names = protocols.map((protocol) => `'${protocol.name}'`).join(' or ');
  return new ProbeFailure(
    'NOT_TLS',
    `${failure.message}; the server greeted in plain text like ${like}; try starttls: ${names}`,
    failure.reply,
  );
}
