// Stapled OCSP responses from real servers (openssl s_server, nginx, Node's tls.Server) at
// TLS 1.2 and 1.3: both handshakes must return the bytes the server was given, identical, and
// null from a server that staples nothing.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grab, type ScanSuccess, type Target } from '../../src/index.js';
import * as farm from '../helpers/farm.js';
import type { Issued } from '../helpers/pki.js';
import {
  mintOcspResponse,
  stapleLab,
  startNginxStapler,
  startNodeStapler,
  startOpensslStapler,
} from '../helpers/staple-servers.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const hasNginx = spawnSync('nginx', ['-v']).status === 0;
const serving = farm.defaultServing();
const [leaf, intermediate] = serving.chain as [Issued, Issued];
const host = '127.71.0.1';

let lab: Awaited<ReturnType<typeof stapleLab>>;
let staple: { der: Buffer; file: string };
const closing: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  lab = await stapleLab(serving);
  if (hasOpenssl) staple = await mintOcspResponse(lab.directory, intermediate, leaf);
}, 30_000);
afterAll(async () => {
  await Promise.all(closing.map((server) => server.close()));
  await lab?.remove();
}, 30_000);

async function both(target: Target): Promise<[ScanSuccess, ScanSuccess]> {
  const captured = await grab(target, { handshake: 'capture' });
  const complete = await grab(target, { handshake: 'complete' });
  if (!captured.ok) throw new Error(`capture: ${captured.error.code} ${captured.error.message}`);
  if (!complete.ok) throw new Error(`complete: ${complete.error.code} ${complete.error.message}`);
  return [captured, complete];
}

const hex = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes).toString('hex') : null);

function expectStaple(results: [ScanSuccess, ScanSuccess], protocol: string, der: Buffer | null) {
  const [captured, complete] = results;
  for (const result of results) {
    expect(result.protocol).toBe(protocol);
    expect(result.chain.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      serving.chain.map((c) => c.der.toString('hex')),
    );
    expect(result.ocspStapleDropped).toBeUndefined();
  }
  expect(captured.handshake).toBe('capture');
  expect(complete.handshake).toBe('complete');
  expect(hex(captured.ocspStaple)).toBe(hex(der));
  expect(hex(complete.ocspStaple)).toBe(hex(captured.ocspStaple));
}

const versions = [
  ['tls1_2', 'TLSv1.2'],
  ['tls1_3', 'TLSv1.3'],
] as const;

describe.skipIf(!hasOpenssl)('openssl s_server -status_file', () => {
  it('the staple is a real OCSP response (the control for the cases below)', () => {
    const text = spawnSync('openssl', [
      'ocsp',
      '-respin',
      staple.file,
      '-resp_text',
      '-noverify',
    ]).stdout.toString();
    expect(text).toContain('Cert Status: good');
    expect(staple.der[0]).toBe(0x30);
  });

  it.each(versions)('%s: both handshakes return the file, byte for byte', async (version, name) => {
    const server = await startOpensslStapler({
      host,
      lab,
      version,
      statusFile: staple.file,
    });
    closing.push(server);
    expectStaple(await both({ host, port: server.port }), name, staple.der);
  });

  it.each(versions)('%s: without -status_file, no staple', async (version, name) => {
    const server = await startOpensslStapler({ host, lab, version });
    closing.push(server);
    expectStaple(await both({ host, port: server.port }), name, null);
  });
});

describe.skipIf(!hasOpenssl || !hasNginx)('nginx ssl_stapling_file', () => {
  it('staples the file at TLS 1.2 and TLS 1.3, the same bytes in both handshakes', async () => {
    const nginx = await startNginxStapler({ host, lab, statusFile: staple.file });
    closing.push(nginx);
    expectStaple(await both({ host, port: nginx.port12 }), 'TLSv1.2', staple.der);
    expectStaple(await both({ host, port: nginx.port13 }), 'TLSv1.3', staple.der);
  });

  it('without ssl_stapling, no staple', async () => {
    const nginx = await startNginxStapler({ host, lab });
    closing.push(nginx);
    expectStaple(await both({ host, port: nginx.port12 }), 'TLSv1.2', null);
    expectStaple(await both({ host, port: nginx.port13 }), 'TLSv1.3', null);
  });
});

describe("Node's tls.Server 'OCSPRequest'", () => {
  const maxVersion = { 'TLSv1.2': { maxVersion: 'TLSv1.2' }, 'TLSv1.3': {} } as const;

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    '%s: both handshakes ask, and return the response',
    async (protocol) => {
      const response = hasOpenssl ? staple.der : Buffer.from('30030a0100', 'hex');
      const server = await startNodeStapler(serving, response, {
        host,
        tls: maxVersion[protocol],
      });
      closing.push(server);
      expectStaple(await both({ host, port: server.port }), protocol, response);
      // Node asks its handler only when the ClientHello carries status_request.
      expect(server.asked).toBe(2);
    },
  );

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    '%s: a server that staples nothing gives null',
    async (protocol) => {
      const server = await startNodeStapler(serving, null, { host, tls: maxVersion[protocol] });
      closing.push(server);
      expectStaple(await both({ host, port: server.port }), protocol, null);
      expect(server.asked).toBe(2);
    },
  );

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    '%s: a staple over the cap is dropped in both handshakes, the chain kept',
    async (protocol) => {
      const server = await startNodeStapler(serving, Buffer.alloc(20_000, 0x30), {
        host,
        tls: maxVersion[protocol],
      });
      closing.push(server);
      const results = await both({ host, port: server.port });
      for (const result of results) {
        expect(result.chain).toHaveLength(2);
        expect(result.ocspStaple).toBeNull();
        expect(result.ocspStapleDropped).toMatch(/20000 bytes, over the 16380-byte cap/);
      }
    },
  );

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    '%s: a chain cut at the caps keeps its staple, in both handshakes',
    async (protocol) => {
      const response = Buffer.from('30030a0100', 'hex');
      const server = await startNodeStapler(serving, response, {
        host,
        tls: maxVersion[protocol],
      });
      closing.push(server);
      for (const handshake of ['capture', 'complete'] as const) {
        const result = await grab({ host, port: server.port }, { handshake, maxChainLength: 1 });
        if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
        expect([result.chain.length, result.chainTruncated]).toEqual([1, true]);
        expect(hex(result.ocspStaple)).toBe(hex(response));
      }
    },
  );

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    '%s: a chain cut before its leaf has no staple, in both handshakes',
    async (protocol) => {
      const server = await startNodeStapler(serving, Buffer.from('30030a0100', 'hex'), {
        host,
        tls: maxVersion[protocol],
      });
      closing.push(server);
      for (const handshake of ['capture', 'complete'] as const) {
        const result = await grab({ host, port: server.port }, { handshake, maxChainBytes: 64 });
        if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
        expect([result.chain.length, result.chainTruncated]).toEqual([0, true]);
        expect(result.ocspStaple).toBeNull();
      }
    },
  );

  it('a staple of exactly the cap is kept in both handshakes', async () => {
    const response = Buffer.alloc(16_380, 0x30);
    for (const tls of [{ maxVersion: 'TLSv1.2' as const }, {}]) {
      const server = await startNodeStapler(serving, response, { host, tls });
      closing.push(server);
      const [captured, complete] = await both({ host, port: server.port });
      expect(hex(captured.ocspStaple)).toBe(hex(response));
      expect(hex(complete.ocspStaple)).toBe(hex(response));
    }
  });
});

if (!hasOpenssl) console.warn('openssl is not installed: the s_server staple checks are skipped');
if (!hasNginx) console.warn('nginx is not installed: the nginx staple checks are skipped');
