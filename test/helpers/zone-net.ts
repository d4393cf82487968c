// Network zones on one machine, for the fleet's tests: each zone is a network namespace with
// loopback only (no link, no route out), owning the same private addresses as every other
// zone, with a TLS server of its own certificate on each. A process run in a zone reaches
// that zone's servers and nothing else; PostgreSQL is reached over its Unix socket, which
// namespaces share with the filesystem.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insideOrExit, removeStaleNamespaces, startNamespaceServer } from './dark-net.js';
import type { Serving } from './farm.js';

/** One zone: its namespace, and how to start a process in it. */
export interface Zone {
  /** The namespace: `ip netns exec <namespace> …`. */
  readonly namespace: string;
  /**
   * Starts `command args…` in the zone, after a check that the process really is in the
   * zone's namespace (a scan of 10.x run anywhere else would leave the machine).
   */
  spawn(command: string, args: readonly string[]): ChildProcess;
  /** Stops the zone's servers and deletes the namespace. */
  close(): void;
}

/** Why zones cannot be made here, if so: not root, or no `ip`. */
export function zonesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  if (spawnSync('sh', ['-c', 'command -v ip']).status !== 0) {
    return 'needs `ip` (apt-get install -y iproute2)';
  }
  return undefined;
}

const NAMESPACE = /^cs-zone-(\d+)[a-z]$/;

/** Exec's its arguments only inside the namespace whose inode is its first argument. */
const INSIDE_OR_EXIT = insideOrExit("the zone's");

/**
 * Creates a zone named by this process's id and `tag`: a namespace with loopback up and
 * `addresses` on it, nothing else (checked), and a TLS server presenting `serving` on `port`
 * of every one of them. Call `close()` when done; this process's exit closes it too.
 */
export async function createZone(
  tag: string,
  options: { addresses: readonly string[]; port: number; serving: Serving },
): Promise<Zone> {
  const namespace = `cs-zone-${process.pid}${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'certsweep-zone-'));
  let server: ChildProcess | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    server?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', close);
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  removeStaleNamespaces(NAMESPACE);
  try {
    ip('netns', 'add', namespace);
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    for (const address of options.addresses) {
      ip('-n', namespace, 'addr', 'add', `${address}/32`, 'dev', 'lo');
    }
    const links = JSON.parse(
      execFileSync('ip', ['-j', '-n', namespace, 'link', 'show'], { encoding: 'utf8' }) || '[]',
    ) as { ifname: string }[];
    const routes = JSON.parse(
      execFileSync('ip', ['-j', '-n', namespace, 'route', 'show'], { encoding: 'utf8' }) || '[]',
    ) as unknown[];
    if (links.some((link) => link.ifname !== 'lo') || routes.length > 0) {
      throw new Error(`zone ${namespace} is not isolated: it has a link or a route out`);
    }
    server = await startNamespaceServer(namespace, dir, options, "the zone's server");
  } catch (error) {
    close();
    throw error;
  }
  const inode = execFileSync('stat', ['-L', '-c', '%i', `/run/netns/${namespace}`], {
    encoding: 'utf8',
  }).trim();
  return {
    namespace,
    close,
    spawn: (command, args) =>
      spawn(
        'ip',
        ['netns', 'exec', namespace, 'sh', '-c', INSIDE_OR_EXIT, 'sh', inode, command, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
  };
}
