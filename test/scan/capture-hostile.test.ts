// The capture handshake against hand-built TLS 1.2 flights that a conforming client rejects:
// lengths that lie, a ServerHello choosing what was never offered, no certificate. Node's
// TLS client (OpenSSL) is the oracle for the ServerHellos: it rejects each of them too, at
// the ServerHello, not later in the hand-built flight, which it never completes.
import { connect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { grab, type ScanOptions, type ScanResult } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const leaf = serving.chain[0]?.der as Buffer;
const host = '127.64.0.1';
const start = closedAfterAll();

async function probe(
  flight: Buffer | ((clientHello: Buffer) => Buffer),
  options: ScanOptions & { after?: 'wait' | 'firehose' } = {},
): Promise<ScanResult> {
  const { after, ...scanOptions } = options;
  const server = await start(farm.tlsFlight(flight, { host, ...(after ? { after } : {}) }));
  return grab({ host, port: server.port }, { timeoutMs: 3000, ...scanOptions });
}
const failure = (result: ScanResult) => {
  if (result.ok) throw new Error(`expected a failure, got ${result.chain.length} certificates`);
  return result.error;
};
const done = farm.handshakeMessage(14, Buffer.alloc(0));
const flightWith = (hello: Buffer) => Buffer.concat([hello, farm.certificateMessage([leaf]), done]);

/**
 * The code of OpenSSL's rejection of a flight, or `'none'` when it took the flight and waits
 * for more (no error within two seconds).
 */
async function opensslVerdict(flight: Buffer | ((clientHello: Buffer) => Buffer)): Promise<string> {
  const server = await start(farm.tlsFlight(flight, { host }));
  return new Promise((resolve) => {
    const socket = connect({ host, port: server.port, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('none');
    }, 2000);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? 'error');
    });
  });
}

describe('a hand-built flight', () => {
  it('that is well formed is captured (the control for the cases below)', async () => {
    const result = await probe(flightWith(farm.serverHello()), { handshake: 'capture' });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain.map((der) => Buffer.from(der).equals(leaf))).toEqual([true]);
    expect(result.cipher).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(result.protocol).toBe('TLSv1.2');
  });
});

describe('a ServerHello a conforming client rejects is PROTOCOL, with the reason', () => {
  const ext = (type: number, body: string) => [type, Buffer.from(body, 'hex')] as [number, Buffer];
  const lies: [string, farm.ServerHelloParts, RegExp][] = [
    ['version 0x0399', { version: 0x0399 }, /version 0x0399, which was not offered/],
    ['version SSLv3', { version: 0x0300 }, /version SSLv3, which was not offered/],
    ['a cipher suite never offered', { suite: 0x0016 }, /cipher suite 0x0016, which was not/],
    ['a TLS 1.3 suite in TLS 1.2', { suite: 0x1301 }, /cipher suite 0x1301/],
    ['the renegotiation SCSV as a suite', { suite: 0x00ff }, /cipher suite 0x00ff/],
    ['an extensions length too long', { extensionsLength: 40 }, /extensions of 40 bytes/],
    ['an extensions length too short', { extensionsLength: 2 }, /extensions of 2 bytes/],
    ['a session id of 40 bytes', { sessionId: Buffer.alloc(40, 1) }, /session id of 40 bytes/],
    [
      'a session id length past the message',
      { sessionIdLength: 32 },
      /session id|extensions|cipher suite/,
    ],
    [
      'an extension running past its block',
      { rawExtensions: Buffer.from('ff01000900', 'hex') },
      /extension 0xff01 of 9 bytes runs past the block/,
    ],
    ['an extension never offered', { extensions: [ext(0x0023, '')] }, /extension 0x0023/],
    ['ALPN never offered', { extensions: [ext(0x0010, '0003026832')] }, /extension 0x0010/],
    [
      'a repeated extension',
      { extensions: [ext(0xff01, '00'), ext(0xff01, '00')] },
      /repeats extension 0xff01/,
    ],
  ];

  // OpenSSL rejects the well-formed flight too, at its certificate step: a lie in the
  // ServerHello must be rejected for another reason, before that.
  let controlVerdict: string;
  beforeAll(async () => {
    controlVerdict = await opensslVerdict(flightWith(farm.serverHello()));
  });

  it.each(lies)('%s', async (_label, parts, reason) => {
    const flight = flightWith(farm.serverHello(parts));
    const captured = failure(await probe(flight, { handshake: 'capture' }));
    expect(captured.code).toBe('PROTOCOL');
    expect(captured.message).toMatch(reason);
    const verdict = await opensslVerdict(flight);
    expect(verdict).not.toBe('none');
    expect(verdict).not.toBe(controlVerdict);
  });

  // TLS 1.3 ServerHellos travel in clear too: what they choose is checked before any key.
  const x25519 = ext(0x0033, `001d0020${'09'.repeat(32)}`);
  const tls13: [string, farm.ServerHelloParts, RegExp][] = [
    [
      'supported_versions choosing TLS 1.2',
      { extensions: [ext(0x002b, '0303'), x25519] },
      /selects 0x0303 in supported_versions/,
    ],
    [
      'a TLS 1.2 suite in TLS 1.3',
      { suite: 0xc02f, extensions: [ext(0x002b, '0304'), x25519] },
      /cipher suite 0xc02f, which was not offered for TLSv1.3/,
    ],
    [
      'a key share for a group no share was sent for',
      {
        suite: 0x1301,
        extensions: [ext(0x002b, '0304'), ext(0x0033, `00180004${'04'.repeat(4)}`)],
      },
      /key share group 0x0018, for which no share was sent/,
    ],
    ['no key share', { suite: 0x1301, extensions: [ext(0x002b, '0304')] }, /has no key share/],
    [
      'a TLS 1.2 extension in a TLS 1.3 ServerHello',
      { suite: 0x1301, extensions: [ext(0x002b, '0304'), x25519, ext(0xff01, '00')] },
      /extension 0xff01, which TLS 1.3 sends encrypted/,
    ],

    [
      'a key share that is no key',
      { suite: 0x1301, extensions: [ext(0x002b, '0304'), ext(0x0033, '001d0003010203')] },
      /key share is not a valid key/,
    ],
  ];

  // Echo the ClientHello's session id, as a TLS 1.3 server must.
  const hello = (parts: farm.ServerHelloParts) => (clientHello: Buffer) =>
    farm.serverHello({ sessionId: farm.clientHelloSessionId(clientHello), ...parts });

  it.each(tls13)('%s', async (_label, parts, reason) => {
    const captured = failure(
      await probe((clientHello) => flightWith(hello(parts)(clientHello)), { handshake: 'capture' }),
    );
    expect(captured.code).toBe('PROTOCOL');
    expect(captured.message).toMatch(reason);
    // The ServerHello alone: OpenSSL takes a good one and waits for the encrypted flight.
    expect(await opensslVerdict(hello(parts))).not.toBe('none');
  });

  it('a TLS 1.3 ServerHello alone is taken by OpenSSL (the control for the oracle above)', async () => {
    const good = { suite: 0x1301, extensions: [ext(0x002b, '0304'), x25519] };
    expect(await opensslVerdict(hello(good))).toBe('none');
  });

  // OpenSSL takes these as TLS 1.3; RFC 8446 section 4.1.3 (TLS 1.3 is chosen in
  // supported_versions, and legacy_version is 0x0303) and Go's crypto/tls do not.
  const beyondOpenssl: [string, farm.ServerHelloParts, RegExp][] = [
    [
      'TLS 1.3 with a legacy version other than TLS 1.2',
      { version: 0x0301, suite: 0x1301, extensions: [ext(0x002b, '0304'), x25519] },
      /legacy version of 0x0301/,
    ],
    [
      'TLS 1.3 chosen in the legacy version, without supported_versions',
      { version: 0x0304, suite: 0x1301, extensions: [x25519] },
      /selects TLS 1.3 without a supported_versions extension/,
    ],
  ];

  it.each(beyondOpenssl)('%s', async (_label, parts, reason) => {
    const captured = failure(
      await probe((clientHello) => flightWith(hello(parts)(clientHello)), { handshake: 'capture' }),
    );
    expect(captured.code).toBe('PROTOCOL');
    expect(captured.message).toMatch(reason);
  });

  it('a TLS 1.3 ServerHello that does not echo the session id', async () => {
    const parts = { suite: 0x1301, extensions: [ext(0x002b, '0304'), x25519] };
    const flight = flightWith(farm.serverHello(parts));
    const captured = failure(await probe(flight));
    expect(captured.code).toBe('PROTOCOL');
    expect(captured.message).toMatch(/does not echo the session id/);
    expect((await probe(flight, { handshake: 'complete' })).ok).toBe(false);
  });

  it('an ALPN protocol that was not offered', async () => {
    const flight = flightWith(farm.serverHello({ extensions: [ext(0x0010, '0003026832')] }));
    const captured = failure(await probe(flight, { alpn: ['http/1.1'] }));
    expect(captured.code).toBe('PROTOCOL');
    expect(captured.message).toMatch(/ALPN protocol "h2", not offered/);
  });
});

describe('a Certificate message whose lengths lie', () => {
  it('a list longer than its message fails at once, however much follows', async () => {
    const list = Buffer.concat([Buffer.of(0, leaf.length >> 8, leaf.length & 255), leaf]);
    const lying = farm.handshakeMessage(
      11,
      Buffer.concat([Buffer.of(0, (list.length + 4096) >> 8, (list.length + 4096) & 255), list]),
    );
    const error = failure(
      await probe(Buffer.concat([farm.serverHello(), lying]), { after: 'firehose' }),
    );
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/certificate list of \d+ bytes in a message that leaves/);
  });

  it('a certificate longer than its list fails at once', async () => {
    const entry = Buffer.concat([Buffer.of(0, 0x40, 0), leaf]); // claims 16 KiB
    const message = farm.handshakeMessage(
      11,
      Buffer.concat([Buffer.of(0, entry.length >> 8, entry.length & 255), entry]),
    );
    const error = failure(
      await probe(Buffer.concat([farm.serverHello(), message]), { after: 'firehose' }),
    );
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/certificate of 16384 bytes runs past the list/);
  });

  it('a message of 16 MiB is read only up to the chain caps', async () => {
    // Consistent lengths, one real certificate, then endless bytes claiming more.
    const entry = Buffer.concat([Buffer.of(0, leaf.length >> 8, leaf.length & 255), leaf]);
    const header = Buffer.concat([Buffer.of(11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc), entry]);
    const result = await probe(Buffer.concat([farm.serverHello(), header]), {
      after: 'firehose',
      maxChainBytes: 32768,
    });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain.length).toBe(1);
    expect(result.chainTruncated).toBe(true);
  });
});

describe('a server that talks without getting to its certificate', () => {
  it('endless empty records are cut at a record count, not at the deadline', async () => {
    const server = await start(
      farm.firehose('', Buffer.from('140303000101', 'hex'), {
        host,
        when: 'data',
      }),
    );
    const error = failure(await grab({ host, port: server.port }, { timeoutMs: 3000 }));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/more than 4096 records before the certificate/);
  });

  it('endless handshake bytes are cut at a byte budget, not at the deadline', async () => {
    // HelloRequest messages (ignored while negotiating) in full records, forever.
    const server = await start(
      farm.firehose(
        farm.handshakeRecords(farm.serverHello()),
        farm.handshakeRecords(Buffer.alloc(16384)),
        { host, when: 'data' },
      ),
    );
    const error = failure(await grab({ host, port: server.port }, { timeoutMs: 3000 }));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(/more than 327680 bytes without completing its certificate/);
  });
});

describe('no certificate is NO_CERTIFICATE, in both handshake modes', () => {
  const empty = Buffer.concat([farm.serverHello(), farm.certificateMessage([]), done]);

  it.each(['capture', 'complete'] as const)('an empty Certificate message (%s)', async (mode) => {
    const error = failure(await probe(empty, { handshake: mode }));
    expect(error.code).toBe('NO_CERTIFICATE');
  });

  it.each(['capture', 'complete'] as const)(
    'a ServerHelloDone where the Certificate belongs (%s)',
    async (mode) => {
      const error = failure(
        await probe(Buffer.concat([farm.serverHello(), done]), { handshake: mode }),
      );
      expect(error.code).toBe('NO_CERTIFICATE');
    },
  );

  it.each(['capture', 'complete'] as const)(
    'a certificate list a little longer than its message is PROTOCOL, not NO_CERTIFICATE (%s)',
    async (mode) => {
      // OpenSSL calls this and an empty list by one name, "length mismatch".
      const lying = Buffer.from(farm.certificateMessage([leaf]));
      lying.writeUIntBE(lying.readUIntBE(4, 3) + 3, 4, 3);
      const error = failure(
        await probe(Buffer.concat([farm.serverHello(), lying, done]), { handshake: mode }),
      );
      expect(error.code).toBe('PROTOCOL');
      expect(error.message).toMatch(/malformed Certificate message: a certificate list of/);
    },
  );
});

describe('a TLS 1.3 Certificate message, decrypted', () => {
  const serve = async (certificate: Buffer, options: ScanOptions = {}) => {
    const server = await start(farm.tls13Server(certificate, { host }));
    return grab({ host, port: server.port }, { timeoutMs: 3000, ...options });
  };

  it('that is well formed is captured (the control for the cases below)', async () => {
    const result = await serve(farm.tls13CertificateMessage([{ der: leaf }]));
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain.map((der) => Buffer.from(der).equals(leaf))).toEqual([true]);
    expect([result.protocol, result.cipher]).toEqual(['TLSv1.3', 'TLS_AES_128_GCM_SHA256']);
  });

  it.each(['capture', 'complete'] as const)(
    'that is empty is NO_CERTIFICATE (%s)',
    async (mode) => {
      const error = failure(await serve(farm.tls13CertificateMessage([]), { handshake: mode }));
      expect(error.code).toBe('NO_CERTIFICATE');
    },
  );

  const lies: [string, Buffer, RegExp][] = [
    [
      'a list longer than its message',
      farm.tls13CertificateMessage([{ der: leaf }], { listLength: leaf.length + 4096 }),
      /certificate list of \d+ bytes in a message that leaves/,
    ],
    [
      'certificate extensions running past the list',
      (() => {
        // The entry claims 600 bytes of extensions and carries 4.
        const message = farm.tls13CertificateMessage([{ der: leaf, extensions: Buffer.alloc(4) }]);
        message.writeUInt16BE(600, 4 + 1 + 3 + 3 + leaf.length);
        return message;
      })(),
      /certificate extensions of 600 bytes run past the list/,
    ],
    [
      'a request context longer than the message',
      farm.handshakeMessage(11, Buffer.of(200, 0, 0, 0)),
      /request context runs past it/,
    ],
  ];

  it.each(lies)('with %s is PROTOCOL', async (_label, certificate, reason) => {
    const error = failure(await serve(certificate));
    expect(error.code).toBe('PROTOCOL');
    expect(error.message).toMatch(reason);
  });
});
