// LDAP StartTLS replies parsed as BER: the reply must answer the request's messageID, and a
// refusal carries the server's diagnosticMessage. Each reply comes from a real loopback server.
import { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { grab, type ScanResult } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const host = '127.73.0.1';
const start = closedAfterAll();

/** BER of a tag and its content, with a short or (for `long`) four-byte length. */
const tlv = (tag: number, content: Buffer, long = false) =>
  Buffer.concat([
    Buffer.of(tag),
    long
      ? Buffer.of(0x84, 0, 0, content.length >> 8, content.length & 255)
      : Buffer.of(content.length),
    content,
  ]);

/** LDAPMessage { messageID, extendedResp [APPLICATION 24] { resultCode, "", diagnostic } }. */
function extendedResponse(messageId: number, resultCode: number, diagnostic = '', long = false) {
  const response = Buffer.concat([
    tlv(0x0a, Buffer.of(resultCode)),
    tlv(0x04, Buffer.alloc(0)),
    tlv(0x04, Buffer.from(diagnostic)),
  ]);
  return tlv(
    0x30,
    Buffer.concat([tlv(0x02, Buffer.of(messageId)), tlv(0x78, response, long)]),
    long,
  );
}

/** A server answering the StartTLS request with `reply`, then TLS when it said go. */
async function ldapServer(reply: Buffer, options: { upgrade?: boolean } = {}) {
  const context = farm.secureContextFor(serving);
  return start(
    farm.startRawServer(
      (socket) => {
        socket.once('data', () => {
          socket.write(reply);
          if (!options.upgrade) return;
          const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
          tls.on('error', () => {});
        });
      },
      { host },
    ),
  );
}

const probe = async (server: farm.Running): Promise<ScanResult> =>
  grab({ host, port: server.port }, { starttls: 'ldap', timeoutMs: 3000 });

describe('LDAP StartTLS', () => {
  it('success to message 1 upgrades (the control for the cases below)', async () => {
    const result = await probe(await ldapServer(extendedResponse(1, 0), { upgrade: true }));
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.starttls).toBe('ldap');
    expect(
      Buffer.from(result.chain[0] ?? []).equals(serving.chain[0]?.der ?? Buffer.alloc(0)),
    ).toBe(true);
  });

  it('success with four-byte lengths upgrades too', async () => {
    const result = await probe(
      await ldapServer(extendedResponse(1, 0, '', true), { upgrade: true }),
    );
    expect(result.ok).toBe(true);
  });

  it('a reply to another messageID is PROTOCOL', async () => {
    const result = await probe(await ldapServer(extendedResponse(7, 0), { upgrade: true }));
    if (result.ok) throw new Error('expected a failure, got a chain');
    expect(result.error.code).toBe('PROTOCOL');
    expect(result.error.message).toMatch(/a reply to message 7, where the request was message 1/);
  });

  it('a Notice of Disconnection (messageID 0) is a refusal, with its diagnostic', async () => {
    const result = await probe(await ldapServer(extendedResponse(0, 52, 'shutting down')));
    if (result.ok) throw new Error('expected a failure, got a chain');
    expect(result.error.code).toBe('STARTTLS_REFUSED');
    expect(result.error.message).toMatch(/disconnects: resultCode 52 \(shutting down\)/);
  });

  it('a resultCode other than 0 is a refusal, with the diagnosticMessage', async () => {
    const result = await probe(
      await ldapServer(extendedResponse(1, 2, 'unsupported extended operation')),
    );
    if (result.ok) throw new Error('expected a failure, got a chain');
    expect(result.error.code).toBe('STARTTLS_REFUSED');
    expect(result.error.message).toMatch(/resultCode 2 \(unsupported extended operation\)/);
  });

  it('a BindResponse in place of the ExtendedResponse is a refusal', async () => {
    const bind = tlv(
      0x30,
      Buffer.concat([
        tlv(0x02, Buffer.of(1)),
        tlv(
          0x61,
          Buffer.concat([
            tlv(0x0a, Buffer.of(0)),
            tlv(0x04, Buffer.alloc(0)),
            tlv(0x04, Buffer.alloc(0)),
          ]),
        ),
      ]),
    );
    const result = await probe(await ldapServer(bind));
    if (result.ok) throw new Error('expected a failure, got a chain');
    expect(result.error.code).toBe('STARTTLS_REFUSED');
    expect(result.error.message).toMatch(/not an ExtendedResponse/);
  });
});
