// Real servers of the machine's packages (MariaDB, Dovecot, Prosody, InspIRCd), started by a
// test on loopback with a data directory and configuration of its own, and stopped after it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Serving } from './servers.js';

/** A daemon the test started. */
export interface Daemon {
  /** Its process; `stop()` ends it. */
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** The first of `paths` that exists: where a package installs a daemon, if it is installed. */
export function installed(...paths: string[]): string | undefined {
  return paths.find((path) => existsSync(path));
}

/** A free port on `host`, from the kernel. */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True once a server on `host:port` accepts and sends its first bytes (its greeting). */
function greets(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * Runs `command` with `args` in the directory `cwd` (the test's own, so that whatever the
 * daemon leaves there, a core file included, goes with it) and waits until every one of
 * `ports` on `host` greets; fails (and ends the process) when it exits first or has not
 * greeted after 20 s. `log` is named in the error, for the daemon's own account.
 */
export async function startDaemon(
  command: string,
  args: string[],
  listening: { host: string; ports: number[]; log: string; cwd: string },
): Promise<Daemon> {
  const child = spawn(command, args, { stdio: 'ignore', cwd: listening.cwd });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  };
  for (let attempt = 0; attempt < 200 && child.exitCode === null; attempt++) {
    const up = await Promise.all(listening.ports.map((port) => greets(listening.host, port)));
    if (up.every(Boolean)) return { process: child, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${command} did not start on ${listening.host}; see ${listening.log}`);
}

/** What a test file of real daemons shares: its directory, and the daemons it started. */
export interface DaemonLab {
  /** The file's own directory, holding `chain.pem` and `key.pem` of the chain it serves. */
  readonly directory: string;
  /** {@link startDaemon}, and the daemon is stopped after the file's last test. */
  start(...args: Parameters<typeof startDaemon>): Promise<Daemon>;
}

/**
 * For a test file of real daemons: before its tests, a directory `certsweep-<name>-…` holding
 * `serving`'s chain and key as PEM; after them, every daemon started through `start()` stopped
 * and the directory removed. Call it inside the file's `describe`, so that a skipped file
 * makes no directory.
 *
 * @example
 * ```ts
 * const lab = useDaemonLab('mariadb', serving);
 * beforeAll(async () => {
 *   daemon = await lab.start(MARIADBD, args, { host, ports: [port], log, cwd: lab.directory });
 * }, 60_000);
 * ```
 */
export function useDaemonLab(name: string, serving: Serving): DaemonLab {
  let directory: string | undefined;
  const started: Daemon[] = [];
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), `certsweep-${name}-`));
    await writeFile(join(directory, 'chain.pem'), serving.chain.map((c) => c.pem).join(''));
    // Readable by a daemon that reads it as a user of its own.
    const key = serving.key.key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFile(join(directory, 'key.pem'), key, { mode: 0o644 });
  });
  afterAll(async () => {
    await Promise.all(started.map((daemon) => daemon.stop()));
    if (directory) await rm(directory, { recursive: true, force: true });
  }, 60_000);
  return {
    get directory() {
      if (!directory) throw new Error('the daemon lab is not set up: use it inside a test');
      return directory;
    },
    async start(...args) {
      const daemon = await startDaemon(...args);
      started.push(daemon);
      return daemon;
    },
  };
}
