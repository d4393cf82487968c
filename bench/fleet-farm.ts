// The fleet benchmark's farm: TLS servers (nginx when installed, else node:tls) on loopback
// addresses × ports, each address with its own certificate under one intermediate, as the
// hosts of a real network have.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createChain, createLeaf } from '../test/helpers/pki.js';
import { childrenOf } from './proc-cpu.js';

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** nginx's worker processes. */
const WORKERS = 2;

/** The farm as started: what serves it, the root to trust, its processes, how to stop it. */
export interface Farm {
  readonly kind: string;
  readonly root: string;
  /** The serving processes (nginx's master and workers, or the node:tls process). */
  readonly pids: readonly number[];
  stop(): void;
}

/** Starts the farm on `addresses` × `ports`, its files in `dir`. */
export async function startFarm(
  dir: string,
  addresses: readonly string[],
  ports: readonly number[],
): Promise<Farm> {
  // One certificate per address (as hosts of a real network have), under one intermediate.
  const { root, leaf, intermediate } = createChain('farm.test');
  const key = join(dir, 'key.pem');
  writeFileSync(key, leaf.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
    mode: 0o600,
  });
  const certs = addresses.map((address, i) => {
    const cert = join(dir, `chain-${i}.pem`);
    const own = createLeaf(intermediate, {
      subject: `farm-${i}.test`,
      san: { dns: [`farm-${i}.test`], ip: [address] },
      keyPair: leaf.key,
    });
    writeFileSync(cert, own.pem + intermediate.pem);
    return cert;
  });
  let child: ChildProcess;
  let kind: string;
  if (has('nginx')) {
    kind = 'nginx';
    const servers = addresses
      .map(
        (a, i) => `server {
    ${ports.map((p) => `listen ${a}:${p} ssl;`).join(' ')}
    ssl_certificate ${certs[i]};
    return 204;
  }`,
      )
      .join('\n  ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes ${WORKERS};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
worker_rlimit_nofile ${addresses.length * ports.length + 4096};
events { worker_connections ${addresses.length * ports.length + 4096}; }
http {
  access_log off;
  ssl_certificate_key ${key};
  ssl_session_cache off;
  ssl_session_tickets off;
  ${servers}
}
`,
    );
    child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: 'inherit',
    });
  } else {
    kind = 'node:tls';
    const script = `
      const tls = require('node:tls'); const fs = require('node:fs');
      const certs = ${JSON.stringify(certs)}; const key = fs.readFileSync(${JSON.stringify(key)});
      ${JSON.stringify(addresses)}.forEach((a, i) => { const opts = { key, cert: fs.readFileSync(certs[i]) }; for (const p of ${JSON.stringify(ports)})
        tls.createServer(opts, (s) => { s.on('error', () => {}); s.end(); }).on('tlsClientError', () => {}).listen(p, a); });`;
    child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  }
  // Up once the last address's last port answers (1,020 certificates take a while to load).
  for (let tries = 0; ; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(ports.at(-1) as number, addresses.at(-1) as string);
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.once('close', () => socket.destroy());
      socket.setTimeout(1000, () => socket.destroy());
    });
    if (up || tries > 60) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  writeFileSync(join(dir, 'root.pem'), root.pem);
  const master = child.pid as number;
  // nginx answers connections before it has forked its workers: measured, they must be known.
  for (
    let tries = 0;
    kind === 'nginx' && childrenOf(master).length < WORKERS && tries < 100;
    tries++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    kind,
    root: join(dir, 'root.pem'),
    pids: [master, ...childrenOf(master)],
    stop: () => child.kill('SIGTERM'),
  };
}
