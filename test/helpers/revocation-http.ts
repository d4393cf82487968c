// HTTP servers on loopback for revocation tests: OCSP responders backed by OpenSSL's
// responder, CRL servers, and endpoints that misbehave (silent, dripping, flooding, garbage).
// `openssl ocsp -port N` (and `-url http://127.0.0.1:N/`) listens on every interface ([::]:N),
// and tests may only be reachable on loopback: so the HTTP side is a Node server bound to
// 127.0.0.1, and each request is answered by OpenSSL's responder run on it (`-reqin`/`-respout`,
// see openssl-ca.ts) — the same code `-port` would run, without the open port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OcspOptions, OpensslCa } from './openssl-ca.js';

/** What one path of an {@link EvidenceServer} does. */
export type Route =
  /** Serve these bytes. */
  | { kind: 'bytes'; body: Uint8Array; contentType?: string }
  /** Answer OCSP requests (POST body, or GET path base64) with OpenSSL's responder. */
  | { kind: 'ocsp'; ca: OpensslCa; options?: OcspOptions }
  /** Read the request and never answer. */
  | { kind: 'silent' }
  /** Send headers, then one byte every 200 ms, forever. */
  | { kind: 'drip' }
  /** Stream `bytes` of zeros (without a Content-Length) as fast as the client reads. */
  | { kind: 'flood'; bytes: number }
  /** Answer with an HTTP status and no body. */
  | { kind: 'status'; status: number };

/** A loopback HTTP server whose paths are {@link Route}s. */
export interface EvidenceServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly origin: string;
  /** Method and path of every request, in arrival order. */
  readonly requests: { method: string; path: string }[];
  /** Bytes the flood routes wrote, in total (to show a client stopped reading). */
  readonly flooded: () => number;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (and nowhere else) serving `routes` by path prefix. */
export async function evidenceServer(routes: Record<string, Route>): Promise<EvidenceServer> {
  const requests: { method: string; path: string }[] = [];
  let flooded = 0;
  const timers = new Set<NodeJS.Timeout>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? '', path });
    const prefix = Object.keys(routes)
      .filter((p) => path === p || path.startsWith(`${p}/`))
      .sort((a, b) => b.length - a.length)[0];
    const route = prefix === undefined ? undefined : routes[prefix];
    const body = await readBody(req);
    if (!route) return void res.writeHead(404).end();
    switch (route.kind) {
      case 'bytes':
        res.writeHead(200, { 'content-type': route.contentType ?? 'application/pkix-crl' });
        return void res.end(route.body);
      case 'ocsp': {
        const encoded = decodeURIComponent(path.slice((prefix as string).length + 1));
        const request = req.method === 'POST' ? body : Buffer.from(encoded, 'base64');
        const answer = await route.ca.respond(request, route.options);
        res.writeHead(200, { 'content-type': 'application/ocsp-response' });
        return void res.end(answer);
      }
      case 'silent':
        return;
      case 'drip': {
        res.writeHead(200, { 'content-type': 'application/ocsp-response' });
        const timer = setInterval(() => res.write(Buffer.from([0x30])), 200);
        timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'flood': {
        res.writeHead(200, { 'content-type': 'application/pkix-crl' });
        const chunk = Buffer.alloc(64 * 1024);
        let left = route.bytes;
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const part = chunk.subarray(0, Math.min(chunk.length, left));
            left -= part.length;
            flooded += part.length;
            if (!res.write(part)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        return pump();
      }
      case 'status':
        return void res.writeHead(route.status).end();
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    flooded: () => flooded,
    async close() {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
