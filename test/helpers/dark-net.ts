// Dark address space on one machine, for the scanner's tests and benchmarks: two network
// namespaces joined by a veth pair. The scanner's namespace has one route, into the dark
// namespace, so nothing it sends can leave the machine. The dark namespace answers for a whole
// range (a local route), runs a TLS server on every address of it, and drops every packet
// except those to a few live addresses, as a firewall in front of unused space does.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Serving } from './farm.js';

/** A pair of namespaces with dark space behind a DROP rule, and live TLS servers in it. */
export interface DarkNetwork {
  /** The namespace to scan from: `ip netns exec <scanner> …`. */
  readonly scanner: string;
  /** The namespace that holds the range. */
  readonly dark: string;
  /** Runs a command inside the scanner's namespace and resolves with its stdout. */
  run(command: string, args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Stops the servers and deletes both namespaces (the veth pair goes with them). */
  close(): void;
}

/** Where the range sits and what answers in it. */
export interface DarkNetworkOptions {
  /** The whole range, routed into the dark namespace, e.g. `10.77.0.0/16`. */
  readonly range: string;
  /** The addresses that answer, a CIDR inside `range`, e.g. `10.77.0.0/24`. */
  readonly live: string;
  /** The TCP port the live servers listen on. */
  readonly port: number;
  /** The chain and key the live servers present. */
  readonly serving: Serving;
}

/** Why dark networks cannot be made here (not root, `ip` or `iptables` missing), if so. */
export function darkNetworkUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const command of ['ip', 'iptables']) {
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0)
      return `needs \`${command}\` (apt-get install -y iproute2 iptables)`;
  }
  return undefined;
}

const SERVER = `
const tls = require('node:tls');
const fs = require('node:fs');
const [key, cert, port] = process.argv.slice(1);
const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (s) => {
  s.on('error', () => {});
  s.end();
});
server.on('tlsClientError', () => {});
server.listen(Number(port), '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

/**
 * Creates the namespaces (named with this process's id and `tag`, so parallel runs never
 * collide), the route, the DROP rule and the live servers. Call `close()` when done; an exit
 * of this process deletes the namespaces too.
 */
export async function createDarkNetwork(
  options: DarkNetworkOptions,
  tag = 'a',
): Promise<DarkNetwork> {
  const id = `${process.pid}${tag}`;
  const scanner = `cs-scan-${id}`;
  const dark = `cs-dark-${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-dark-'));
  let server: ChildProcess | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    server?.kill('SIGKILL');
    for (const ns of [scanner, dark]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', close);
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  try {
    ip('netns', 'add', scanner);
    ip('netns', 'add', dark);
    const [a, b] = [`csv${id}s`, `csv${id}d`];
    ip('link', 'add', a, 'netns', scanner, 'type', 'veth', 'peer', 'name', b, 'netns', dark);
    ip('-n', scanner, 'addr', 'add', '10.76.0.1/30', 'dev', a);
    ip('-n', dark, 'addr', 'add', '10.76.0.2/30', 'dev', b);
    for (const [ns, link] of [
      [scanner, a],
      [dark, b],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', link, 'up');
    }
    // The scanner's only way out leads into the dark namespace.
    ip('-n', scanner, 'route', 'add', options.range, 'via', '10.76.0.2');
    // The dark namespace owns every address of the range, and silently drops what is not live.
    ip('-n', dark, 'route', 'add', 'local', options.range, 'dev', 'lo');
    const iptables = (...args: string[]) =>
      execFileSync('ip', ['netns', 'exec', dark, 'iptables', ...args], { stdio: 'pipe' });
    iptables('-A', 'INPUT', '-i', b, '-d', options.live, '-j', 'ACCEPT');
    iptables('-A', 'INPUT', '-i', b, '-j', 'DROP');
    server = await startServers(dark, dir, options);
  } catch (error) {
    close();
    throw error;
  }
  return {
    scanner,
    dark,
    close,
    run: (command, args, timeoutMs = 600_000) =>
      new Promise((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', scanner, command, ...args], {
          stdio: ['ignore', 'pipe', 'inherit'],
          timeout: timeoutMs,
        });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
        });
        child.on('error', reject);
        child.on('close', (code, signal) => {
          if (code === 0) resolve(out);
          else reject(new Error(`${command} exited with ${code ?? signal}: ${out.slice(-500)}`));
        });
      }),
  };
}

/** One TLS server on every address of the dark namespace; resolves once it listens. */
async function startServers(
  dark: string,
  dir: string,
  options: DarkNetworkOptions,
): Promise<ChildProcess> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'chain.pem');
  writeFileSync(
    key,
    options.serving.key.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    { mode: 0o600 },
  );
  writeFileSync(cert, options.serving.chain.map((c) => c.pem).join(''));
  const child = spawn(
    'ip',
    ['netns', 'exec', dark, process.execPath, '-e', SERVER, key, cert, String(options.port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the dark network's servers exited (${code})`)));
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return child;
}
