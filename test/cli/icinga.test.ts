// examples/icinga2/certsweep.conf the way Icinga 2 runs it: the command line its CheckCommand
// builds, run from another working directory with a minimal environment against a real
// SQLite inventory; and, when icinga2 is installed, the real daemon validating the file and
// running the checks itself.
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { createIntermediate, createLeaf, createRoot } from '../helpers/pki.js';
import { bin, jobsFile, root, runOnce } from './bin.js';

const DAY = 86_400_000;
const ICINGA2 = '/usr/sbin/icinga2';
const conf = join(root, 'examples', 'icinga2', 'certsweep.conf');
const directory = mkdtempSync(join(tmpdir(), 'certsweep-icinga-'));
const start = closedAfterAll();
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// The bin as `npm install --global` installs it: a symlink to dist/cli/main.cjs, executable.
const installed = join(directory, 'prefix', 'bin', 'certsweep');
mkdirSync(join(directory, 'prefix', 'bin'), { recursive: true });
if ((statSync(bin).mode & 0o111) === 0) chmodSync(bin, 0o755);
symlinkSync(bin, installed);
const store = `sqlite:${join(directory, 'inventory.db')}`;
const rootCa = createRoot({ subject: 'Icinga Test Root' });
const ca = createIntermediate(rootCa, { subject: 'Icinga Test CA' });
const now = Date.now();
const serve = (name: string, ip: string, from: number, to: number) => {
  const cert = createLeaf(ca, {
    subject: name,
    san: { dns: [name], ip: [ip] },
    notBefore: new Date(now + from * DAY),
    notAfter: new Date(now + to * DAY),
  });
  return start(farm.startTlsServer({ chain: [cert, ca], key: cert }, { host: ip }));
};
/** Each service: the host's address, its port, the state and line Icinga must get. */
const services: Record<string, { address: string; port: number; code: number; line: RegExp }> = {};

beforeAll(async () => {
  const fresh = await serve('ok.icinga.test', '127.28.1.1', -1, 89);
  const soon = await serve('soon.icinga.test', '127.28.1.2', -75, 15);
  const gone = await serve('gone.icinga.test', '127.28.1.3', -91, -1);
  services.ok = {
    address: '127.28.1.1',
    port: fresh.port,
    code: 0,
    line: /^CERTSWEEP OK - 127\.28\.1\.1:\d+ chain valid, first expiry in 88d \(CN=ok\.icinga\.test\) \| '127\.28\.1\.1:\d+ leaf ok\.icinga\.test'=\d+s;\d+:;\d+:;; '127\.28\.1\.1:\d+ chain1 Icinga Test CA'=\d+s;\d+:;\d+:;;$/,
  };
  services.soon = {
    address: '127.28.1.2',
    port: soon.port,
    code: 1,
    line: /^CERTSWEEP WARNING - 127\.28\.1\.2:\d+ CN=soon\.icinga\.test expires in 14d \(\S+\) \| '127\.28\.1\.2:\d+ leaf soon\.icinga\.test'=\d+s;/,
  };
  services.gone = {
    address: '127.28.1.3',
    port: gone.port,
    code: 2,
    line: /^CERTSWEEP CRITICAL - 127\.28\.1\.3:\d+ expired: CN=gone\.icinga\.test on \S+ \| /,
  };
  // A host the inventory does not know.
  services.unknown = {
    address: '127.28.1.9',
    port: 443,
    code: 3,
    line: /^CERTSWEEP UNKNOWN - no target matching 127\.28\.1\.9:443 in the inventory$/,
  };
  const rootPem = join(directory, 'root.pem');
  writeFileSync(rootPem, rootCa.pem);
  const path = jobsFile(directory, [
    {
      name: 'web',
      targets: { hosts: '127.28.1.1-127.28.1.3', ports: `${fresh.port},${soon.port},${gone.port}` },
    },
  ]);
  const run = await runOnce(path, 'web', store, rootPem);
  expect(run.code).toBe(0);
}, 120_000);

/** The CheckCommand's `command`, `arguments` and default `vars`, read from the file. */
function checkCommand(text: string) {
  const command =
    /command = \[([^\]]*)\]/
      .exec(text)?.[1]
      ?.match(/"[^"]*"/g)
      ?.map((s) => s.slice(1, -1)) ?? [];
  const args: { option: string; value?: string; setIf?: string }[] = [];
  for (const match of text.matchAll(/"(--[a-z-]+)" = \{([^}]*)\}/g)) {
    const body = match[2] ?? '';
    const value = /value = "([^"]*)"/.exec(body)?.[1];
    const setIf = /set_if = "([^"]*)"/.exec(body)?.[1];
    args.push({
      option: match[1] as string,
      ...(value ? { value } : {}),
      ...(setIf ? { setIf } : {}),
    });
  }
  const vars: Record<string, string> = {};
  for (const match of text.matchAll(/vars\.(\w+) = (?:"([^"]*)"|(\S+))/g))
    vars[match[1] as string] = match[2] ?? match[3] ?? '';
  return { command, args, vars };
}

/**
 * The command line Icinga builds from the CheckCommand for a host address and service vars:
 * `$name$` macros resolved (vars, then `address`), an argument whose value resolves empty
 * dropped, a `set_if` argument present when its macro is true.
 */
function commandLine(address: string, overrides: Record<string, string>): string[] {
  const { command, args, vars } = checkCommand(readFileSync(conf, 'utf8'));
  const all: Record<string, string> = { ...vars, ...overrides };
  const resolve = (text: string): string =>
    text.replace(/\$(\w+)\$/g, (_m, name: string) =>
      name === 'address' ? address : resolve(all[name] ?? ''),
    );
  const line = command.map(resolve);
  for (const arg of args) {
    if (arg.value !== undefined) {
      const value = resolve(arg.value);
      if (value !== '') line.push(arg.option, value);
    } else if (arg.setIf !== undefined && ['1', 'true'].includes(resolve(arg.setIf)))
      line.push(arg.option);
  }
  return line;
}

/** Runs a command line as Icinga does: another working directory, a minimal environment. */
function asIcinga(
  line: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((done) => {
    execFile(
      line[0] as string,
      line.slice(1),
      { cwd, env: { PATH: '/usr/bin:/bin' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        done({
          stdout,
          stderr,
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        });
      },
    );
  });
}

describe('examples/icinga2/certsweep.conf', () => {
  it('runs the installed bin by absolute path: command = [ "$certsweep_bin$", "check" ]', () => {
    const { command, vars, args } = checkCommand(readFileSync(conf, 'utf8'));
    expect(command).toEqual(['$certsweep_bin$', 'check']);
    expect(vars.certsweep_bin).toBe('/usr/local/bin/certsweep');
    expect(args.map((a) => a.option).sort()).toEqual([
      '--allow-self-signed',
      '--critical',
      '--host',
      '--ip',
      '--port',
      '--sni',
      '--store',
      '--warning',
      '--zone',
    ]);
  });

  it.each(['ok', 'soon', 'gone', 'unknown'])(
    '%s: the command line Icinga builds, from another directory with PATH=/usr/bin:/bin',
    async (name) => {
      const service = services[name];
      if (service === undefined) throw new Error(`no service ${name}`);
      const cwd = mkdtempSync(join(tmpdir(), 'certsweep-icinga-cwd-'));
      try {
        const line = commandLine(service.address, {
          certsweep_bin: installed,
          certsweep_port: String(service.port),
          certsweep_store: store,
        });
        expect(line.slice(0, 4)).toEqual([installed, 'check', '--host', service.address]);
        const run = await asIcinga(line, cwd);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(service.code);
        expect(run.stdout.split('\n')[0]).toMatch(service.line);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );

  it('a store Icinga cannot read is UNKNOWN, not a failure of the plugin', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'certsweep-icinga-cwd-'));
    try {
      const line = commandLine('127.28.1.1', {
        certsweep_bin: installed,
        certsweep_store: `sqlite:${join(directory, 'absent.db')}`,
      });
      const run = await asIcinga(line, cwd);
      expect(run.code).toBe(3);
      expect(run.stdout).toMatch(
        /^CERTSWEEP UNKNOWN - cannot open \S+absent\.db for reading: no such file\n$/,
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

const daemonAbsent = !existsSync(ICINGA2);
if (daemonAbsent) {
  console.warn(
    `icinga2 is not installed (${ICINGA2}): skipping the Icinga 2 daemon tests; apt-get install -y --no-install-recommends icinga2-bin`,
  );
}

describe.skipIf(daemonAbsent)('the Icinga 2 daemon', () => {
  /**
   * A configuration that includes the file as it is, with one service per state checked every
   * second; the services set the bin and the store, as a site sets them.
   */
  function config(run: string): string {
    const objects = Object.entries(services).map(
      ([name, s]) => `
object Host "${name}" {
  address = "${s.address}"
  check_command = "dummy"
  check_interval = 1h
}
object Service "certificate-now" {
  host_name = "${name}"
  check_command = "certsweep"
  check_interval = 1s
  retry_interval = 1s
  max_check_attempts = 1
  vars.certsweep_bin = "${installed}"
  vars.certsweep_store = "${store}"
  vars.certsweep_port = ${s.port}
}`,
    );
    return [
      'include <itl>',
      `include "${conf}"`,
      'object CheckerComponent "checker" { }',
      `object FileLogger "debug" { path = "${run}/debug.log"; severity = "debug" }`,
      ...objects,
      '',
    ].join('\n');
  }

  /** A fresh directory for one daemon, its paths given as constants. */
  function daemonDirectory(name: string): string {
    const run = join(directory, name);
    for (const dir of ['data', 'cache', 'log', 'spool', 'run'])
      mkdirSync(join(run, dir), { recursive: true });
    writeFileSync(join(run, 'icinga2.conf'), config(run));
    return run;
  }

  function daemonArgs(run: string): string[] {
    return [
      `-DDataDir=${run}/data`,
      `-DCacheDir=${run}/cache`,
      `-DLogDir=${run}/log`,
      `-DSpoolDir=${run}/spool`,
      `-DInitRunDir=${run}/run`,
      `-DPidPath=${run}/run/icinga2.pid`,
      `-DVarsPath=${run}/cache/icinga2.vars`,
      `-DObjectsPath=${run}/cache/icinga2.debug`,
      `-DStatePath=${run}/data/icinga2.state`,
      '-DRunAsUser=root',
      '-DRunAsGroup=root',
    ];
  }

  it('icinga2 daemon -C validates a configuration using the CheckCommand', async () => {
    const run = daemonDirectory('validate');
    const result = await new Promise<{ code: number | null; output: string }>((done) => {
      execFile(
        ICINGA2,
        ['daemon', '-C', '-c', join(run, 'icinga2.conf'), ...daemonArgs(run)],
        { cwd: run, env: { PATH: '/usr/bin:/bin' } },
        (error, stdout, stderr) =>
          done({
            code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
            output: stdout + stderr,
          }),
      );
    });
    expect(result.output).toMatch(/Instantiated 4 Services/);
    expect(result.output).toMatch(/Finished validating the configuration file/);
    expect(result.code).toBe(0);
  }, 60_000);

  it('the daemon runs the checks: OK, WARNING, CRITICAL, UNKNOWN with the plugin line and perfdata', async () => {
    const run = daemonDirectory('daemon');
    // Its own working directory, a minimal environment: what plugins inherit from it.
    const cwd = mkdtempSync(join(tmpdir(), 'certsweep-icinga-daemon-'));
    const daemon = spawn(ICINGA2, ['daemon', '-c', join(run, 'icinga2.conf'), ...daemonArgs(run)], {
      cwd,
      env: { PATH: '/usr/bin:/bin' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => daemon.once('exit', done));
    try {
      const log = join(run, 'debug.log');
      const read = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
      // The exact command line the daemon ran for each service, once it has ended.
      const commandOf = (address: string, port: number) =>
        `('${installed}' 'check' '--critical' '10%' '--host' '${address}' '--port' '${port}' '--store' '${store}' '--warning' '25%') terminated with exit code`;
      const all = Object.values(services);
      const deadline = Date.now() + 45_000;
      while (
        !all.every((s) => read().includes(commandOf(s.address, s.port))) &&
        Date.now() < deadline
      ) {
        await new Promise((wake) => setTimeout(wake, 200));
      }
      for (const s of all) expect(read()).toContain(`${commandOf(s.address, s.port)} ${s.code}`);
    } finally {
      daemon.kill('SIGTERM');
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    }
    // The state it saved on the way out holds each service's last check result.
    const results = lastCheckResults(readFileSync(join(run, 'data', 'icinga2.state'), 'utf8'));
    for (const [name, service] of Object.entries(services)) {
      const result = results.get(`${name}!certificate-now`);
      expect(result, name).toBeDefined();
      expect(result?.exit_status, name).toBe(service.code);
      const perfdata = result?.performance_data ?? [];
      // Icinga keeps the first line without its perfdata, then the detail lines.
      const [first = '', ...details] = (result?.output ?? '').split('\n');
      const line = perfdata.length > 0 ? `${first.trimEnd()} | ${perfdata.join(' ')}` : first;
      expect(details.length, name).toBe(name === 'unknown' ? 0 : 1);
      expect(line, name).toMatch(service.line);
    }
  }, 90_000);
});

interface CheckResult {
  exit_status: number;
  output: string;
  performance_data?: string[];
}

/** Each service's last check result from an icinga2.state file (netstrings of JSON). */
function lastCheckResults(state: string): Map<string, CheckResult> {
  const results = new Map<string, CheckResult>();
  const bytes = Buffer.from(state);
  for (let at = 0; at < bytes.length; ) {
    const colon = bytes.indexOf(0x3a, at);
    if (colon < 0) break;
    const length = Number(bytes.subarray(at, colon).toString());
    const record = JSON.parse(bytes.subarray(colon + 1, colon + 1 + length).toString()) as {
      name: string;
      type: string;
      update?: { last_check_result?: CheckResult };
    };
    at = colon + 1 + length + 1;
    const result = record.update?.last_check_result;
    if (record.type === 'Service' && result) results.set(record.name, result);
  }
  return results;
}
