// Dark address space on one machine, for the scanner's tests and benchmarks: two network
// namespaces joined by a veth pair. The scanner's namespace has one route, into the dark
// namespace, so nothing it sends can leave the machine. The dark namespace answers for a whole
// range (a local route), runs a TLS server on every address of it, and drops every packet
// except those to a few live addresses, as a firewall in front of unused space does.
// Before anything runs in the scanner's namespace, its links and routes are checked, and every
// command run there first checks that it is inside it: a scan of 10.x run anywhere else would
// go out through the machine's default route.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Serving } from './farm.js';

/** A pair of namespaces with dark space behind a DROP rule, and live TLS servers in it. */
export interface DarkNetwork {
  /** The namespace to scan from: `ip netns exec <scanner> …`. */
  readonly scanner: string;
  /** The namespace that holds the range. */
  readonly dark: string;
  /** The inode of the scanner's namespace, as `stat -L /proc/self/ns/net` shows it inside. */
  readonly scannerInode: number;
  /**
   * Runs a command inside the scanner's namespace and resolves with its stdout. The command
   * is exec'd by a shell that first checks it runs in that namespace, so the process that
   * scans is the one checked.
   */
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

const NAMESPACE = /^cs-(?:scan|dark)-(\d+)[a-z]$/;
/** The link between the namespaces: the scanner's end, the dark end, the link's prefix. */
const LINK = { scanner: '10.76.0.1', dark: '10.76.0.2', prefix: '10.76.0.0/30' };

/**
 * Deletes the namespaces of runs whose process is gone (killed before it could clean up),
 * with the servers still running in them. A namespace's name matches `pattern`, whose first
 * group is the pid of the test process that made it.
 */
export function removeStaleNamespaces(pattern: RegExp = NAMESPACE): void {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const name of listed.split('\n').map((line) => line.split(' ')[0] ?? '')) {
    const owner = pattern.exec(name)?.[1];
    if (owner === undefined || processAlive(Number(owner))) continue;
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Route {
  readonly type?: string;
  readonly dst: string;
  readonly table?: string;
}

/**
 * What in the scanner's namespace could reach beyond the dark one, as messages (none when
 * isolated): a link other than loopback and the veth, a default route, or a unicast route to
 * anything but the link and the range. The namespace's own addresses (local, broadcast and
 * multicast routes) and IPv6 link-local on the veth stay between the two namespaces.
 */
function isolationProblems(scanner: string, veth: string, range: string): string[] {
  const json = <T>(...args: string[]): T[] =>
    JSON.parse(execFileSync('ip', ['-j', '-n', scanner, ...args], { encoding: 'utf8' }) || '[]');
  const problems: string[] = [];
  const links = json<{ ifname: string }>('link', 'show').map((link) => link.ifname);
  for (const link of links) if (link !== 'lo' && link !== veth) problems.push(`link ${link}`);
  const allowed = new Set([LINK.prefix, range, 'fe80::/64']);
  const routes = [
    ...json<Route>('-4', 'route', 'show', 'table', 'all'),
    ...json<Route>('-6', 'route', 'show', 'table', 'all'),
  ];
  for (const route of routes) {
    const own = ['local', 'broadcast', 'multicast', 'anycast'].includes(route.type ?? '');
    if (route.dst === 'default' || (!own && !allowed.has(route.dst)))
      problems.push(
        `route ${route.type ?? 'unicast'} ${route.dst} (table ${route.table ?? 'main'})`,
      );
  }
  return problems;
}

/**
 * Creates the namespaces (named with this process's id and `tag`, so parallel runs never
 * collide), the route, the DROP rule and the live servers, after deleting what killed runs
 * left behind. Refuses to go on unless the scanner's namespace has no way out (see
 * {@link isolationProblems}). Call `close()` when done; an exit of this process deletes the
 * namespaces too.
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
  removeStaleNamespaces();
  const [a, b] = [`csv${id}s`, `csv${id}d`];
  try {
    ip('netns', 'add', scanner);
    ip('netns', 'add', dark);
    ip('link', 'add', a, 'netns', scanner, 'type', 'veth', 'peer', 'name', b, 'netns', dark);
    ip('-n', scanner, 'addr', 'add', `${LINK.scanner}/30`, 'dev', a);
    ip('-n', dark, 'addr', 'add', `${LINK.dark}/30`, 'dev', b);
    for (const [ns, link] of [
      [scanner, a],
      [dark, b],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', link, 'up');
    }
    // The scanner's only way out leads into the dark namespace.
    ip('-n', scanner, 'route', 'add', options.range, 'via', LINK.dark);
    // The dark namespace owns every address of the range, and silently drops what is not live.
    ip('-n', dark, 'route', 'add', 'local', options.range, 'dev', 'lo');
    const iptables = (...args: string[]) =>
      execFileSync('ip', ['netns', 'exec', dark, 'iptables', ...args], { stdio: 'pipe' });
    iptables('-A', 'INPUT', '-i', b, '-d', options.live, '-j', 'ACCEPT');
    iptables('-A', 'INPUT', '-i', b, '-j', 'DROP');
    const problems = isolationProblems(scanner, a, options.range);
    if (problems.length > 0)
      throw new Error(`the scanner's namespace is not isolated: ${problems.join(', ')}`);
    server = await startNamespaceServer(dark, dir, options);
  } catch (error) {
    close();
    throw error;
  }
  const scannerInode = statSync(`/run/netns/${scanner}`).ino;
  return {
    scanner,
    dark,
    scannerInode,
    close,
    run: (command, args, timeoutMs = 600_000) =>
      new Promise((resolve, reject) => {
        const inside = ['netns', 'exec', scanner, 'sh', '-c', insideOrExit("the scanner's"), 'sh'];
        const child = spawn('ip', [...inside, String(scannerInode), command, ...args], {
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

/**
 * A shell script that exec's its arguments after the first only when its network namespace
 * has the inode given as the first: `ip netns exec` put it there, and exec keeps it there.
 * `whose` names the namespace in its refusal ("the scanner's").
 */
export function insideOrExit(whose: string): string {
  return `
  [ "$(stat -L -c %i /proc/self/ns/net)" = "$1" ] || {
    echo "not in ${whose} network namespace: refusing to run $2" >&2; exit 97; }
  shift; exec "$@"`;
}

/**
 * One TLS server on every address of a namespace (`0.0.0.0:port`, the serving chain's files
 * written to `dir`); resolves once it listens. `what` names it if it exits first.
 */
export async function startNamespaceServer(
  namespace: string,
  dir: string,
  options: { readonly port: number; readonly serving: Serving },
  what = "the dark network's servers",
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
    ['netns', 'exec', namespace, process.execPath, '-e', SERVER, key, cert, String(options.port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code})`)));
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return child;
}
