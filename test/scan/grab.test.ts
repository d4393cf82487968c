import { beforeAll, describe, expect, it } from 'vitest';
import {
  grab,
  type ScanFailure,
  ScanOptionsError,
  type ScanResult,
  type ScanSuccess,
} from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createChain, createRoot } from '../helpers/pki.js';

const serving = farm.defaultServing();
const start = closedAfterAll();

function success(result: ScanResult): ScanSuccess {
  if (!result.ok)
    throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result;
}
function failure(result: ScanResult): ScanFailure {
  if (result.ok) throw new Error('expected a failure');
  return result;
}

describe('grab: what a successful probe reports', () => {
  let tls: farm.Running;
  beforeAll(async () => {
    tls = await start(farm.startTlsServer(serving, { tls: { ALPNProtocols: ['h2', 'http/1.1'] } }));
  });

  it('returns the chain as DER, protocol, cipher, ALPN, address and timings', async () => {
    const result = success(
      await grab({ host: '127.0.0.1', port: tls.port }, { alpn: ['http/1.1'] }),
    );
    expect(result.chain.map((der) => Buffer.from(der).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
    expect(result.protocol).toBe('TLSv1.3');
    expect(result.cipher).toMatch(/^TLS_/);
    expect(result.alpn).toBe('http/1.1');
    expect(result.address).toBe('127.0.0.1');
    expect(result.starttls).toBeNull();
    expect(result.handshake).toBe('capture');
    expect(result.handshakeFallback).toBeUndefined();
    expect(result.chainTruncated).toBe(false);
    expect(result.timings.connect).toBeGreaterThanOrEqual(0);
    expect(result.timings.handshake).toBeGreaterThanOrEqual(0);
    expect(result.timings.total).toBeGreaterThanOrEqual(result.timings.handshake ?? 0);
  });

  it('keeps the chain exactly as sent: out of order, with extras and duplicates', async () => {
    const { root, intermediate, leaf } = createChain('odd.test');
    const stranger = createRoot();
    const sent = [leaf, stranger, root, intermediate, intermediate];
    const odd = await start(farm.startTlsServer({ chain: sent, key: leaf }));
    const result = success(await grab({ host: '127.0.0.1', port: odd.port }));
    expect(result.chain.map((der) => Buffer.from(der).toString('hex'))).toEqual(
      sent.map((c) => c.der.toString('hex')),
    );
  });

  it('sends SNI for hostnames and servername targets, never for bare addresses', async () => {
    const before = tls.servernames.length;
    success(await grab({ host: '127.0.0.1', port: tls.port }));
    expect(tls.servernames.length).toBe(before);
    success(await grab({ host: '127.0.0.1', port: tls.port, servername: 'www.example.test' }));
    expect(tls.servernames.at(-1)).toBe('www.example.test');
    success(await grab({ host: 'localhost', port: tls.port, servername: 'localhost' }));
    expect(tls.servernames.at(-1)).toBe('localhost');
    const count = tls.servernames.length;
    success(await grab({ host: '127.0.0.1', port: tls.port, servername: '127.0.0.1' }));
    expect(tls.servernames.length).toBe(count);
  });

  it.each(['capture', 'complete'] as const)(
    'sends a hostname target its own name as SNI without a servername (%s)',
    async (handshake) => {
      const named = await start(farm.startTlsServer(serving, { host: '127.0.0.81' }));
      const lookup = async () => ['127.0.0.81'];
      success(await grab({ host: 'www.example.test', port: named.port }, { handshake, lookup }));
      expect(named.servernames).toEqual(['www.example.test']);
      // A fully qualified name goes out without its trailing dot.
      success(await grab({ host: 'www.example.test.', port: named.port }, { handshake, lookup }));
      expect(named.servernames).toEqual(['www.example.test', 'www.example.test']);
      success(await grab({ host: '127.0.0.81', port: named.port }, { handshake }));
      expect(named.servernames).toHaveLength(2);
      expect(named.accepted).toBe(3);
    },
  );

  it.each(['capture', 'complete'] as const)(
    'sends no SNI for an IPv4 address in shorthand (%s)',
    async (handshake) => {
      const shorthand = await start(farm.startTlsServer(serving, { host: '127.0.0.82' }));
      // The resolver reads each of these as 127.0.0.1; a lookup stands in for it here.
      const lookup = async () => ['127.0.0.82'];
      for (const host of ['127.1', '2130706433', '0x7f000001', '127.0.1.']) {
        success(await grab({ host, port: shorthand.port }, { handshake, lookup }));
      }
      success(
        await grab(
          { host: '127.0.0.82', port: shorthand.port, servername: '127.1' },
          { handshake },
        ),
      );
      expect(shorthand.accepted).toBe(5);
      expect(shorthand.servernames).toEqual([]);
    },
  );

  it('resolves hostnames to the first address or to every address', async () => {
    const lookup = async () => ['127.0.0.1', '127.0.0.2'];
    const first = success(
      await grab({ host: 'multi.test', port: tls.port, servername: 'multi.test' }, { lookup }),
    );
    expect(first.address).toBe('127.0.0.1');
    expect(first.timings.dns).toBeGreaterThanOrEqual(0);
    await expect(
      grab({ host: 'multi.test', port: tls.port }, { addresses: 'all' }),
    ).rejects.toThrow(ScanOptionsError);
  });

  it('never reuses a TLS session: every probe gets the chain', async () => {
    for (let i = 0; i < 3; i++) {
      expect(success(await grab({ host: '127.0.0.1', port: tls.port })).chain.length).toBe(2);
    }
  });
});

describe('grab: legacy protocols, client certificates and oversized chains', () => {
  it('inventories a TLS 1.0-only server only with legacy: true', async () => {
    const old = await start(
      farm.startTlsServer(serving, {
        tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      }),
    );
    const refused = failure(await grab({ host: '127.0.0.1', port: old.port }));
    expect(refused.error.code).toBe('TLS_ALERT');
    const legacy = success(await grab({ host: '127.0.0.1', port: old.port }, { legacy: true }));
    expect(legacy.protocol).toBe('TLSv1');
    expect(legacy.chain.length).toBe(2);
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'reports the chain of a server that demands a client certificate (%s)',
    async (maxVersion) => {
      const strict = await start(
        farm.startTlsServer(serving, {
          tls: { requestCert: true, rejectUnauthorized: true, maxVersion },
        }),
      );
      const captured = success(await grab({ host: '127.0.0.1', port: strict.port }));
      expect(captured.chain.length).toBe(2);
      expect(captured.protocol).toBe(maxVersion);
    },
  );

  it('reads the chain with handshake: complete from a TLS 1.2 server that demands a client certificate', async () => {
    const strict = await start(
      farm.startTlsServer(serving, {
        tls: { requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' },
      }),
    );
    const result = success(
      await grab({ host: '127.0.0.1', port: strict.port }, { handshake: 'complete' }),
    );
    expect(result.chain.map((der) => Buffer.from(der).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
    expect(result.protocol).toBe('TLSv1.2');
    expect(result.cipher).toMatch(/^TLS_ECDHE_/);
    // The server refused the complete handshake; the capture read the chain on a second connection.
    expect(result.handshake).toBe('capture');
    expect(result.handshakeFallback).toMatch(
      /refused the complete handshake after sending its certificate \(.*alert handshake failure\)/,
    );
    expect(strict.accepted).toBe(2);
  });

  it('keeps handshake: complete for a TLS 1.3 server that demands a client certificate', async () => {
    // At TLS 1.3 the client's handshake is finished before the server's alert arrives.
    const strict = await start(
      farm.startTlsServer(serving, {
        tls: { requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
      }),
    );
    const result = success(
      await grab({ host: '127.0.0.1', port: strict.port }, { handshake: 'complete' }),
    );
    expect(result.chain.length).toBe(2);
    expect(result.handshake).toBe('complete');
    expect(result.handshakeFallback).toBeUndefined();
    expect(strict.accepted).toBe(1);
  });

  it('does not retry a complete handshake refused before the server sent its certificate', async () => {
    const picky = await start(
      farm.startTlsServer(serving, { tls: { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' } }),
    );
    const refused = failure(
      await grab({ host: '127.0.0.1', port: picky.port }, { handshake: 'complete' }),
    );
    expect(refused.error.code).toBe('TLS_ALERT');
    expect(picky.accepted).toBe(1);
  });

  it('cuts a chain longer than maxChainLength or maxChainBytes and flags it', async () => {
    const { leaf, intermediate } = createChain('big.test');
    const sent = [leaf, ...Array.from({ length: 30 }, () => intermediate)];
    const big = await start(farm.startTlsServer({ chain: sent, key: leaf }));
    const byCount = success(await grab({ host: '127.0.0.1', port: big.port }));
    expect(byCount.chain.length).toBe(16);
    expect(byCount.chainTruncated).toBe(true);
    const bytes = leaf.der.length + intermediate.der.length * 2;
    const byBytes = success(
      await grab(
        { host: '127.0.0.1', port: big.port },
        { maxChainBytes: bytes, maxChainLength: 100 },
      ),
    );
    expect(byBytes.chain.length).toBe(3);
    expect(byBytes.chainTruncated).toBe(true);
  });

  it('stops reading an enormous chain at the caps instead of buffering it', async () => {
    const { leaf, intermediate } = createChain('huge.test');
    const huge = await start(
      farm.startTlsServer({
        chain: [leaf, ...Array.from({ length: 300 }, () => intermediate)],
        key: leaf,
      }),
    );
    const captured = success(await grab({ host: '127.0.0.1', port: huge.port }));
    expect(captured.chain.length).toBe(16);
    expect(captured.chainTruncated).toBe(true);
    // A complete handshake hands the whole message (about 120 KiB) to OpenSSL, which refuses
    // it; the capture reads the same chain on a second connection, cut at the same caps.
    const complete = success(
      await grab({ host: '127.0.0.1', port: huge.port }, { handshake: 'complete' }),
    );
    expect(complete.chain).toEqual(captured.chain);
    expect(complete.chainTruncated).toBe(true);
    expect(complete.handshake).toBe('capture');
    expect(complete.handshakeFallback).toMatch(
      /larger than OpenSSL reads \(excessive message size\)/,
    );
    expect(huge.accepted).toBe(3);
  });
});

describe('grab: failures are results with stable codes', () => {
  it.each([
    ['REFUSED', async () => ({ host: '127.0.0.1', port: 1 })],
    ['TIMEOUT', async () => ({ host: '127.0.0.1', port: (await start(farm.silent())).port })],
    ['TIMEOUT', async () => ({ host: '127.0.0.1', port: (await start(farm.drip())).port })],
    [
      'RESET',
      async () => ({ host: '127.0.0.1', port: (await start(farm.resetMidHandshake())).port }),
    ],
    ['NOT_TLS', async () => ({ host: '127.0.0.1', port: (await start(farm.plainHttp())).port })],
    ['NOT_TLS', async () => ({ host: '127.0.0.1', port: (await start(farm.garbage())).port })],
    ['DNS', async () => ({ host: 'no-such-host.invalid', port: 443 })],
    ['INVALID_TARGET', async () => ({ host: '127.0.0.1', port: 70000 })],
  ])('%s', async (code, makeTarget) => {
    const result = failure(await grab(await makeTarget(), { timeoutMs: 1200 }));
    expect(result.error.code).toBe(code);
    expect(result.error.message).not.toBe('');
  });

  it('answers TLS_ALERT when the server rejects the handshake', async () => {
    const picky = await start(
      farm.startTlsServer(serving, { tls: { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' } }),
    );
    expect(failure(await grab({ host: '127.0.0.1', port: picky.port })).error.code).toBe(
      'TLS_ALERT',
    );
  });

  it('names the step the deadline cut', async () => {
    const silent = await start(farm.silent());
    const result = failure(
      await grab({ host: '127.0.0.1', port: silent.port }, { timeoutMs: 300 }),
    );
    expect(result.error.message).toMatch(/no TLS handshake within the deadline/);
  });

  it('stops at once when its signal is aborted', async () => {
    const silent = await start(farm.silent());
    const controller = new AbortController();
    const pending = grab(
      { host: '127.0.0.1', port: silent.port },
      { signal: controller.signal, timeoutMs: 60_000 },
    );
    setTimeout(() => controller.abort(), 50);
    expect(failure(await pending).error.code).toBe('ABORTED');
  });

  it('leaves no socket open after any kind of failure', async () => {
    const baseline = farm.openSocketCount();
    const targets = [
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: (await start(farm.silent())).port },
      { host: '127.0.0.1', port: (await start(farm.resetMidHandshake())).port },
      { host: '127.0.0.1', port: (await start(farm.plainHttp())).port },
    ];
    await Promise.all(targets.map((t) => grab(t, { timeoutMs: 300 })));
    expect(await farm.waitForSockets(baseline)).toBeLessThanOrEqual(baseline);
  });

  it('refuses invalid options before connecting', async () => {
    await expect(grab({ host: '127.0.0.1', port: 1 }, { timeoutMs: 0 })).rejects.toThrow(
      /timeoutMs: 0 must be/,
    );
    await expect(
      grab({ host: '127.0.0.1', port: 1 }, { starttls: 'telnet' as 'smtp' }),
    ).rejects.toThrow(/starttls: "telnet"/);
    await expect(grab({ host: '127.0.0.1', port: 1 }, { concurrency: 1.5 })).rejects.toThrow(
      /concurrency/,
    );
  });
});
