// The capture handshake against Node's complete handshake (OpenSSL) as the oracle: for every
// server configuration both must report the same chain, protocol, cipher and ALPN.
import type { TlsOptions } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { grab, type ScanOptions, type ScanSuccess, type Target } from '../../src/index.js';
import * as farm from '../helpers/farm.js';
import { createChain, createIntermediate, createLeaf } from '../helpers/pki.js';

const ecdsa = farm.defaultServing();
const rsaChain = createChain('rsa.test', { key: 'rsa2048' });
const rsa = { chain: [rsaChain.leaf, rsaChain.intermediate], key: rsaChain.leaf };
const deep = (() => {
  const { root, intermediate } = createChain('deep.test');
  const second = createIntermediate(intermediate);
  const third = createIntermediate(second);
  const deepLeaf = createLeaf(third, { subject: 'deep.test' });
  return { chain: [deepLeaf, third, second, intermediate, root], key: deepLeaf };
})();

const servers: farm.Running[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function both(
  target: Target,
  options: ScanOptions = {},
): Promise<[ScanSuccess, ScanSuccess]> {
  const captured = await grab(target, { ...options, handshake: 'capture' });
  const complete = await grab(target, { ...options, handshake: 'complete' });
  if (!captured.ok) throw new Error(`capture: ${captured.error.code} ${captured.error.message}`);
  if (!complete.ok) throw new Error(`complete: ${complete.error.code} ${complete.error.message}`);
  return [captured, complete];
}

const hex = (chain: readonly Uint8Array[]) => chain.map((der) => Buffer.from(der).toString('hex'));

const zoo: [string, farm.Serving, TlsOptions, ScanOptions?][] = [
  ['TLS 1.3, server default suite', ecdsa, {}],
  ['TLS 1.3, AES-128-GCM', ecdsa, { ciphers: 'TLS_AES_128_GCM_SHA256' }],
  ['TLS 1.3, ChaCha20-Poly1305', ecdsa, { ciphers: 'TLS_CHACHA20_POLY1305_SHA256' }],
  ['TLS 1.3, RSA key', rsa, {}],
  [
    'TLS 1.2, ECDHE-ECDSA-AES128-GCM',
    ecdsa,
    { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
  ],
  [
    'TLS 1.2, ECDHE-RSA-AES256-GCM',
    rsa,
    { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' },
  ],
  ['TLS 1.2, RSA key exchange', rsa, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' }],
  ['TLS 1.2, ChaCha20', ecdsa, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' }],
  ['ALPN h2', ecdsa, { ALPNProtocols: ['h2', 'http/1.1'] }, { alpn: ['h2', 'http/1.1'] }],
  [
    'ALPN over TLS 1.2',
    ecdsa,
    { maxVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] },
    { alpn: ['h2', 'http/1.1'] },
  ],
  ['a five-certificate chain', deep, {}],
  ['only P-384 key exchange (HelloRetryRequest)', ecdsa, { ecdhCurve: 'P-384' }],
];

describe('capture handshake agrees with a complete handshake', () => {
  it.each(zoo)('%s', async (_label, serving, tls, options) => {
    const server = await farm.startTlsServer(serving, { tls });
    servers.push(server);
    const [captured, complete] = await both({ host: '127.0.0.1', port: server.port }, options);
    expect(hex(captured.chain)).toEqual(hex(complete.chain));
    expect(hex(captured.chain)).toEqual(hex(serving.chain.map((c) => c.der)));
    expect(captured.protocol).toBe(complete.protocol);
    expect(captured.cipher).toBe(complete.cipher);
    expect(captured.alpn).toBe(complete.alpn);
    // An address is never looked up, not even when the capture falls back.
    expect(captured.timings.dns).toBeUndefined();
    expect(captured.timings.total).toBeGreaterThanOrEqual(captured.timings.handshake ?? 0);
  });

  it('gets the certificate a server picks by SNI', async () => {
    const other = createChain('other.test');
    const server = await farm.startTlsServer(ecdsa, {
      tls: {
        SNICallback: (name, done) =>
          done(
            null,
            farm.secureContextFor(
              name === 'other.test'
                ? { chain: [other.leaf, other.intermediate], key: other.leaf }
                : ecdsa,
            ),
          ),
      },
    });
    servers.push(server);
    const [captured, complete] = await both({
      host: '127.0.0.1',
      port: server.port,
      servername: 'other.test',
    });
    expect(hex(captured.chain)).toEqual(hex([other.leaf.der, other.intermediate.der]));
    expect(hex(complete.chain)).toEqual(hex(captured.chain));
  });
});

describe('capture handshake against hostile servers', () => {
  const record = (type: number, body: Buffer) =>
    Buffer.concat([Buffer.of(type, 3, 3, body.length >> 8, body.length & 255), body]);
  const hostile: [string, Buffer][] = [
    ['a ServerHello cut short', record(22, Buffer.from('0200004603037a', 'hex'))],
    ['a handshake message claiming 16 MiB', record(22, Buffer.from('08ffffff0000', 'hex'))],
    ['an alert', record(21, Buffer.of(2, 40))],
    [
      'random bytes in a handshake record',
      record(22, Buffer.from('deadbeefcafebabe0011223344556677', 'hex')),
    ],
    ['a record type that does not exist', Buffer.from('1803030001ff', 'hex')],
  ];

  it.each(hostile)('%s is a failure result, never a crash or a hang', async (_label, reply) => {
    const server = await farm.startRawServer((socket) => {
      socket.once('data', () => socket.end(reply));
    });
    servers.push(server);
    const result = await grab({ host: '127.0.0.1', port: server.port }, { timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(['PROTOCOL', 'TLS_ALERT', 'RESET', 'NOT_TLS']).toContain(result.error.code);
  });
});

describe('both handshake modes offer one cipher order', () => {
  // A server that takes the client's preference among suites it accepts: whatever it picks
  // must not depend on the handshake mode.
  const accepting: [string, TlsOptions][] = [
    [
      'TLS 1.3',
      { ciphers: 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256' },
    ],
    [
      'TLS 1.2',
      {
        maxVersion: 'TLSv1.2',
        ciphers: 'ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256',
      },
    ],
  ];

  it.each(accepting)('%s: a server honouring the client order picks one suite', async (_l, tls) => {
    const server = await farm.startTlsServer(ecdsa, { tls: { ...tls, honorCipherOrder: false } });
    servers.push(server);
    const [captured, complete] = await both({ host: '127.0.0.1', port: server.port });
    expect(captured.cipher).toBe(complete.cipher);
  });
});
