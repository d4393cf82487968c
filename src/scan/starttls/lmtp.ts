import type { Conversation } from './conversation.js';
import { smtp } from './smtp.js';

/** LMTP (RFC 2033): SMTP's exchange with `LHLO` in place of `EHLO`. */
export function lmtp(conversation: Conversation, ehloName: string): Promise<void> {
  return smtp(conversation, ehloName, 'LMTP', 'LHLO');
}
