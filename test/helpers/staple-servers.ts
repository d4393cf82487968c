// Real servers that staple OCSP responses, on loopback, for scanner tests: `openssl s_server
// -status_file`, nginx with `ssl_stapling_file`, and Node's tls.Server answering its
// 'OCSPRequest' event; and a real OCSP response for them to staple, made by `openssl ocsp`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, type TlsOptions, Server as TlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { freePort } from './daemons.js';
import type { Issued } from './pki.js';
import type { Serving } from './servers.js';

const run = promisify(execFile);

/** A stapling server the test started. */
export interface Stapler {
  readonly host: string;
  readonly port: number;
  /** Connections that asked for a staple (Node's server only; -1 for the daemons). */
  readonly asked: number;
  close(): Promise<void>;
}

/** A directory of its own for a test file's PKI files and daemons; `remove()` deletes it. */
export async function stapleLab(serving: Serving): Promise<{
  directory: string;
  chainFile: string;
  /** The leaf alone, and the rest of the chain, for `s_server -cert` and `-cert_chain`. */
  leafFile: string;
  intermediatesFile: string;
  keyFile: string;
  remove(): Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), 'certsweep-staple-'));
  const chainFile = join(directory, 'chain.pem');
  const keyFile = join(directory, 'key.pem');
  await writeFile(chainFile, serving.chain.map((c) => c.pem).join(''));
  await writeFile(keyFile, pkcs8(serving.key));
  const leafFile = join(directory, 'leaf.pem');
  const intermediatesFile = join(directory, 'intermediates.pem');
  await writeFile(leafFile, serving.chain[0]?.pem ?? '');
  await writeFile(
    intermediatesFile,
    serving.chain
      .slice(1)
      .map((c) => c.pem)
      .join(''),
  );
  return {
    directory,
    chainFile,
    leafFile,
    intermediatesFile,
    keyFile,
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

function pkcs8(issued: Issued): string {
  return issued.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * A DER OCSPResponse saying `leaf` is good, signed by its `issuer` and valid for a day, made
 * by `openssl ocsp` in responder mode against an index of one certificate. Written to
 * `<directory>/<name>.der` and returned.
 */
export async function mintOcspResponse(
  directory: string,
  issuer: Issued,
  leaf: Issued,
  name = 'staple',
): Promise<{ der: Buffer; file: string }> {
  const file = (suffix: string) => join(directory, `${name}-${suffix}`);
  await writeFile(file('issuer.pem'), issuer.pem);
  await writeFile(file('issuer.key'), pkcs8(issuer));
  await writeFile(file('leaf.pem'), leaf.pem);
  const expiry = '301231000000Z';
  const subject = `/CN=${leaf.x509.subject.replace(/^CN=/, '')}`;
  await writeFile(
    file('index.txt'),
    `V\t${expiry}\t\t${leaf.x509.serialNumber}\tunknown\t${subject}\n`,
  );
  const der = join(directory, `${name}.der`);
  await run('openssl', [
    'ocsp',
    '-index',
    file('index.txt'),
    '-rsigner',
    file('issuer.pem'),
    '-rkey',
    file('issuer.key'),
    '-CA',
    file('issuer.pem'),
    '-issuer',
    file('issuer.pem'),
    '-cert',
    file('leaf.pem'),
    '-respout',
    der,
    '-ndays',
    '1',
  ]);
  return { der: await readFile(der), file: der };
}

/** Ends a child process the test started and waits for its exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

/** Waits until `child` prints `ready` on stdout or stderr; fails when it exits first. */
function readyWhen(child: ChildProcess, ready: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (data: Buffer) => {
      output += data.toString('latin1');
      if (output.includes(ready)) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${output}`)));
  });
}

/**
 * `openssl s_server` on `host`, at one TLS version, stapling the DER response in
 * `statusFile` (or nothing without one). It serves one connection at a time.
 */
export async function startOpensslStapler(options: {
  host: string;
  lab: { leafFile: string; intermediatesFile: string; keyFile: string };
  version: 'tls1_2' | 'tls1_3';
  statusFile?: string;
}): Promise<Stapler> {
  const port = await freePort(options.host);
  const child = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      `${options.host}:${port}`,
      '-cert',
      options.lab.leafFile,
      '-cert_chain',
      options.lab.intermediatesFile,
      '-key',
      options.lab.keyFile,
      `-${options.version}`,
      ...(options.statusFile ? ['-status_file', options.statusFile] : []),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await readyWhen(child, 'ACCEPT', 'openssl s_server');
  // It keeps reading its stdin; the pipes are drained so it never blocks on them.
  child.stdout?.resume();
  child.stderr?.resume();
  return { host: options.host, port, asked: -1, close: () => stop(child) };
}

/**
 * nginx on `host` with two TLS servers: `port12` (TLS 1.2 only) and `port13` (TLS 1.3 only),
 * both stapling `statusFile` with `ssl_stapling_file` (or nothing without one). Runs in the
 * foreground as one process with its prefix, configuration and logs in the lab directory.
 */
export async function startNginxStapler(options: {
  host: string;
  lab: { directory: string; chainFile: string; keyFile: string };
  statusFile?: string;
}): Promise<{ port12: number; port13: number; close(): Promise<void> }> {
  const { directory } = options.lab;
  const port12 = await freePort(options.host);
  const port13 = await freePort(options.host);
  const stapling = options.statusFile
    ? `ssl_stapling on; ssl_stapling_file ${options.statusFile};`
    : '';
  const server = (port: number, protocol: string) => `
    server {
      listen ${options.host}:${port} ssl;
      ssl_certificate ${options.lab.chainFile};
      ssl_certificate_key ${options.lab.keyFile};
      ssl_protocols ${protocol};
      ssl_session_tickets off;
      ${stapling}
      return 204;
    }`;
  const conf = join(directory, `nginx-${port12}.conf`);
  await writeFile(
    conf,
    `daemon off;
master_process off;
pid ${directory}/nginx-${port12}.pid;
error_log ${directory}/nginx-${port12}-error.log notice;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  ${server(port12, 'TLSv1.2')}
  ${server(port13, 'TLSv1.3')}
}
`,
  );
  const child = spawn('nginx', ['-p', directory, '-c', conf, '-e', 'stderr'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  let output = '';
  child.stderr?.on('data', (data: Buffer) => (output += data.toString('latin1')));
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${output}`);
    if ((await accepts(options.host, port12)) && (await accepts(options.host, port13)))
      return { port12, port13, close: () => stop(child) };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop(child);
  throw new Error(`nginx did not start on ${options.host}: ${output}`);
}

/** True once something accepts TCP connections on `host:port`. */
async function accepts(host: string, port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Node's tls.Server on `host`, answering every 'OCSPRequest' (a ClientHello carrying
 * status_request) with `staple`, or with none when it is null.
 */
export async function startNodeStapler(
  serving: Serving,
  staple: Buffer | null,
  options: { host?: string; tls?: TlsOptions } = {},
): Promise<Stapler> {
  const host = options.host ?? '127.0.0.1';
  const server = new TlsServer({
    key: pkcs8(serving.key),
    cert: serving.chain.map((c) => c.pem).join(''),
    ...options.tls,
  });
  let asked = 0;
  server.on(
    'OCSPRequest',
    (_certificate, _issuer, done: (error: null, staple?: Buffer) => void) => {
      asked++;
      if (staple) done(null, staple);
      else done(null);
    },
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.on('error', () => {});
    socket.end();
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    host,
    port,
    get asked() {
      return asked;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
