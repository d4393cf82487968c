// Staples from hand-built flights that lie: a CertificateStatus of the wrong status_type,
// lengths that do not add up, a message cut short or claiming 16 MiB, a staple over the cap.
// A broken staple never loses the chain: the staple is null and `ocspStapleDropped` says why.
// Where OpenSSL rejects the staple, the complete handshake falls back to the capture and
// agrees with it.
import { describe, expect, it } from 'vitest';
import { grab, type ScanOptions, type ScanResult, type ScanSuccess } from '../../src/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';

const serving = farm.defaultServing();
const [leaf, intermediate] = serving.chain.map((c) => c.der) as [Buffer, Buffer];
const host = '127.72.0.1';
const start = closedAfterAll();

const u24 = (n: number) => Buffer.of((n >> 16) & 255, (n >> 8) & 255, n & 255);
const response = Buffer.from('3082000a0a0100a0830000', 'hex');
/** A CertificateStatus body: status_type, 3-byte length (which may lie), the response. */
const status = (der: Buffer, type = 1, length = der.length) =>
  Buffer.concat([Buffer.of(type), u24(length), der]);
const ext = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.of(type >> 8, type & 255, body.length >> 8, body.length & 255), body]);

// ECDHE-ECDSA, for the leaf's key: OpenSSL reads such a flight up to its CertificateStatus.
const acknowledging = farm.serverHello({
  suite: 0xc02b,
  extensions: [
    [0xff01, Buffer.of(0)],
    [0x0005, Buffer.alloc(0)],
  ],
});
const certificate = farm.certificateMessage([leaf, intermediate]);
const done = farm.handshakeMessage(14, Buffer.alloc(0));
/** A TLS 1.2 flight whose ServerHello acknowledges status_request, then `after` the chain. */
const tls12 = (...after: Buffer[]) => Buffer.concat([acknowledging, certificate, ...after]);

async function probe(
  flight: Buffer,
  options: ScanOptions & { server?: 'wait' | 'close' } = {},
): Promise<ScanSuccess> {
  const { server: behaviour, ...scanOptions } = options;
  const server = await start(
    behaviour === 'close'
      ? farm.startRawServer(
          (socket) => socket.once('data', () => socket.end(farm.handshakeRecords(flight))),
          { host },
        )
      : farm.tlsFlight(flight, { host }),
  );
  return success(await grab({ host, port: server.port }, { timeoutMs: 3000, ...scanOptions }));
}

function success(result: ScanResult): ScanSuccess {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  expect(result.chain.map((der) => Buffer.from(der).toString('hex'))).toEqual(
    [leaf, intermediate].map((der) => der.toString('hex')),
  );
  return result;
}

const hex = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes).toString('hex') : null);

describe('a TLS 1.2 CertificateStatus', () => {
  it('that is well formed gives the staple (the control for the cases below)', async () => {
    const result = await probe(tls12(farm.handshakeMessage(22, status(response)), done));
    expect(hex(result.ocspStaple)).toBe(response.toString('hex'));
    expect(result.ocspStapleDropped).toBeUndefined();
  });

  it('is read when it comes in records of its own, split anywhere', async () => {
    const flight = tls12(farm.handshakeMessage(22, status(response)), done);
    const server = await start(
      farm.startRawServer(
        (socket) => {
          socket.once('data', () => {
            const records = farm.handshakeRecords(flight);
            // One byte at a time: every length is read across chunk boundaries.
            for (let i = 0; i < records.length; i++) socket.write(records.subarray(i, i + 1));
          });
        },
        { host },
      ),
    );
    const result = success(await grab({ host, port: server.port }, { timeoutMs: 3000 }));
    expect(hex(result.ocspStaple)).toBe(response.toString('hex'));
  });

  const broken: [string, Buffer, RegExp][] = [
    ['of status_type 2 (ocsp_multi)', status(response, 2), /CertificateStatus of status_type 2/],
    [
      'whose response length runs past the message (truncated)',
      status(response, 1, response.length + 100),
      /claiming 111 bytes of response where it holds 11/,
    ],
    [
      'whose response length leaves bytes over',
      Buffer.concat([status(response), Buffer.alloc(3)]),
      /claiming 11 bytes of response where it holds 14/,
    ],
    ['of 2 bytes', Buffer.of(1, 0), /CertificateStatus of 2 bytes/],
  ];

  it.each(broken)('%s is dropped, the chain kept', async (_label, body, reason) => {
    const result = await probe(tls12(farm.handshakeMessage(22, body), done));
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toMatch(reason);
  });

  const refused: [string, 'capture' | 'complete', Buffer, RegExp][] = [
    ['of status_type 2', 'capture', status(response, 2), /status_type 2/],
    ['of status_type 2', 'complete', status(response, 2), /status_type 2/],
    ['truncated', 'capture', status(response, 1, 100), /claiming 100 bytes/],
    ['truncated', 'complete', status(response, 1, 100), /claiming 100 bytes/],
  ];
  it.each(refused)(
    '%s is dropped by both handshakes alike (%s)',
    async (_label, mode, body, reason) => {
      const result = await probe(tls12(farm.handshakeMessage(22, body), done), {
        handshake: mode,
      });
      expect(result.ocspStaple).toBeNull();
      expect(result.ocspStapleDropped).toMatch(reason);
      // OpenSSL refuses the flight there; the capture reads it.
      expect(result.handshake).toBe('capture');
    },
  );

  it('over the cap is dropped, however it is framed', async () => {
    const large = Buffer.alloc(20_000, 0x30);
    const result = await probe(tls12(farm.handshakeMessage(22, status(large)), done));
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toMatch(/20000 bytes, over the 16380-byte cap/);
  });

  it('claiming 16 MiB is dropped from its header, without waiting for the bytes', async () => {
    // The header alone; the server then waits. Waiting for the body would end at the deadline
    // with no reason given.
    const header = Buffer.concat([Buffer.of(22), u24(0xfffff0)]);
    const result = await probe(tls12(header));
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toMatch(/of 16777196 bytes, over the 16380-byte cap/);
  });

  it('cut short by the server closing keeps the chain, without a staple', async () => {
    const whole = farm.handshakeMessage(22, status(response));
    const result = await probe(tls12(whole.subarray(0, 8)), { server: 'close' });
    expect(result.ocspStaple).toBeNull();
  });

  it('never sent, after an acknowledgement and the Certificate, keeps the chain at the deadline', async () => {
    // The server stops after its Certificate: the deadline ends the wait for the staple.
    const result = await probe(tls12(), { timeoutMs: 500 });
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toBeUndefined();
  });

  it('an alert in its place keeps the chain, without a staple', async () => {
    const flight = farm.handshakeRecords(tls12());
    const alert = Buffer.from('15030300020250', 'hex'); // fatal internal_error
    const server = await start(
      farm.startRawServer(
        (socket) => socket.once('data', () => socket.write(Buffer.concat([flight, alert]))),
        { host },
      ),
    );
    const result = success(await grab({ host, port: server.port }, { timeoutMs: 3000 }));
    expect(result.ocspStaple).toBeNull();
  });

  it('absent after an acknowledgement gives null, with nothing dropped', async () => {
    const result = await probe(tls12(done));
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toBeUndefined();
  });

  it('is not looked for when the ServerHello did not acknowledge the request', async () => {
    const flight = Buffer.concat([
      farm.serverHello(),
      certificate,
      farm.handshakeMessage(22, status(response)),
      done,
    ]);
    const result = await probe(flight);
    expect(result.ocspStaple).toBeNull();
  });

  it('follows a Certificate message cut at the caps: the rest is skipped', async () => {
    const result = await grab(
      {
        host,
        port: (
          await start(
            farm.tlsFlight(tls12(farm.handshakeMessage(22, status(response)), done), { host }),
          )
        ).port,
      },
      { timeoutMs: 3000, maxChainLength: 1 },
    );
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain).toHaveLength(1);
    expect(result.chainTruncated).toBe(true);
    expect(hex(result.ocspStaple)).toBe(response.toString('hex'));
  });

  it('after a Certificate message claiming 16 MiB is not waited for', async () => {
    const entry = Buffer.concat([u24(leaf.length), leaf]);
    const header = Buffer.concat([Buffer.of(11), u24(0xfffffc), u24(0xfffff9), entry]);
    const server = await start(
      farm.tlsFlight(Buffer.concat([acknowledging, header]), { host, after: 'firehose' }),
    );
    const result = await grab(
      { host, port: server.port },
      { timeoutMs: 3000, maxChainBytes: 32768 },
    );
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.chain).toHaveLength(1);
    expect(result.chainTruncated).toBe(true);
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toMatch(/too long to read on to the CertificateStatus/);
  });

  it('an acknowledgement that is not empty is a malformed ServerHello', async () => {
    const hello = farm.serverHello({ extensions: [[0x0005, Buffer.of(1)]] });
    const server = await start(farm.tlsFlight(Buffer.concat([hello, certificate, done]), { host }));
    const result = await grab({ host, port: server.port }, { timeoutMs: 3000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('PROTOCOL');
    expect(result.error.message).toMatch(/status_request acknowledgement of 1 bytes/);
  });
});

describe("a TLS 1.3 leaf's status_request extension", () => {
  const serve = async (
    entries: { der: Buffer; extensions?: Buffer }[],
    options: ScanOptions = {},
  ) => {
    const server = await start(farm.tls13Server(farm.tls13CertificateMessage(entries), { host }));
    return grab({ host, port: server.port }, { timeoutMs: 3000, ...options });
  };
  const withLeaf = (extensions: Buffer, options: ScanOptions = {}) =>
    serve([{ der: leaf, extensions }, { der: intermediate }], options);

  it('gives the staple (the control for the cases below)', async () => {
    const result = success(await withLeaf(ext(5, status(response))));
    expect(result.protocol).toBe('TLSv1.3');
    expect(hex(result.ocspStaple)).toBe(response.toString('hex'));
  });

  it('is found among other extensions (an SCT list first)', async () => {
    const extensions = Buffer.concat([ext(18, Buffer.alloc(40, 7)), ext(5, status(response))]);
    const result = success(await withLeaf(extensions));
    expect(hex(result.ocspStaple)).toBe(response.toString('hex'));
  });

  const refused: [string, 'capture' | 'complete', Buffer, RegExp][] = [
    ['of status_type 2', 'capture', status(response, 2), /status_type 2/],
    ['of status_type 2', 'complete', status(response, 2), /status_type 2/],
    ['whose response length lies', 'capture', status(response, 1, 9), /claiming 9 bytes/],
    ['whose response length lies', 'complete', status(response, 1, 9), /claiming 9 bytes/],
  ];
  it.each(refused)('%s is dropped, the chain kept (%s)', async (_label, mode, body, reason) => {
    const result = success(await withLeaf(ext(5, body), { handshake: mode }));
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toMatch(reason);
    // OpenSSL refuses the flight there; the capture reads it.
    expect(result.handshake).toBe('capture');
  });

  it('over the cap is dropped, the chain kept', async () => {
    // The test flight sends the message in one record, which must stay under 18 KiB.
    const result = success(await withLeaf(ext(5, status(Buffer.alloc(17_000, 0x30)))));
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toMatch(/17000 bytes, over the 16380-byte cap/);
  });

  it('on an intermediate only is no staple for the leaf', async () => {
    const result = success(
      await serve([{ der: leaf }, { der: intermediate, extensions: ext(5, status(response)) }]),
    );
    expect(result.ocspStaple).toBeNull();
    expect(result.ocspStapleDropped).toBeUndefined();
  });

  it('in an extensions block whose lengths lie is a malformed Certificate message', async () => {
    const lying = ext(5, status(response));
    lying.writeUInt16BE(lying.length, 2); // claims 4 bytes more than the block holds
    const result = await withLeaf(lying);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('PROTOCOL');
    expect(result.error.message).toMatch(/certificate extension of \d+ bytes runs past its block/);
  });
});
