// CPU seconds per process group over a phase of a benchmark, read from /proc/<pid>/stat
// (utime + stime, and cutime + cstime for what a process reaped), and the machine's busy time
// from /proc/stat. PostgreSQL backends are told apart by their application_name, read from
// pg_stat_activity by a connection of the meter's own (its backend is a group of its own).
// A process seen for the first time after the phase started counts from zero if it was born
// during the phase; one that ends during the phase keeps its last sample (every 250 ms).
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const HZ = 100;
const SAMPLE_MS = 250;

interface Stat {
  readonly ppid: number;
  /** utime + stime, in ticks. */
  readonly own: number;
  /** cutime + cstime: the children it reaped, in ticks. */
  readonly reaped: number;
  /** Ticks since boot at which the process started. */
  readonly start: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name (field 2) may hold spaces and parentheses: fields are counted after its last ")".
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(f[i - 3]);
  return { ppid: n(4), own: n(14) + n(15), reaped: n(16) + n(17), start: n(22) };
}

/** Ticks since boot, now. */
function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * HZ;
}

/** Busy and idle ticks of the whole machine (all CPUs). */
function machine(): { busy: number; idle: number } {
  const [, ...f] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string)
    .trim()
    .split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number) as number[];
  return {
    busy: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0),
    idle: (idle ?? 0) + (iowait ?? 0),
  };
}

/** The children of a process, found by scanning /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    if (Number.isInteger(child) && stat(child)?.ppid === pid) out.push(child);
  }
  return out;
}

/** CPU seconds of each group over one phase, with the phase's wall time. */
export interface CpuReport {
  readonly wallSeconds: number;
  /** CPU seconds by group name. */
  readonly groups: ReadonlyMap<string, number>;
  /** The whole machine's busy CPU seconds (every process, other work included). */
  readonly machineSeconds: number;
  /** The load average (1 min) at the phase's end. */
  readonly load: number;
}

/**
 * Measures CPU seconds per group of processes. `groupOf(pid)` names the group of a process
 * the bench knows (itself, its children, nginx); PostgreSQL backends go by the prefix of
 * their application_name: `certsweep-bench-scanner-2` is in group `postgres: scanner-2`.
 */
export class CpuMeter {
  readonly #groupOf: (pid: number) => string | undefined;
  readonly #client: pg.Client;
  readonly #prefix: string;
  /** PostgreSQL pids by group, as pg_stat_activity named them. */
  readonly #postgres = new Map<number, string>();
  #phase:
    | {
        readonly started: number;
        readonly startTicks: number;
        readonly machine: { busy: number; idle: number };
        readonly base: Map<number, number>;
        readonly last: Map<number, number>;
        readonly timer: ReturnType<typeof setInterval>;
      }
    | undefined;
  #sampling: Promise<void> = Promise.resolve();

  private constructor(
    client: pg.Client,
    prefix: string,
    groupOf: (pid: number) => string | undefined,
  ) {
    this.#client = client;
    this.#prefix = prefix;
    this.#groupOf = groupOf;
  }

  /** A meter; its PostgreSQL connection is named `<prefix>meter`. */
  static async open(
    url: string,
    prefix: string,
    groupOf: (pid: number) => string | undefined,
  ): Promise<CpuMeter> {
    const client = new pg.Client({ connectionString: url, application_name: `${prefix}meter` });
    await client.connect();
    return new CpuMeter(client, prefix, groupOf);
  }

  async #learnPostgres(): Promise<void> {
    const { rows } = await this.#client.query(
      `SELECT pid, application_name, backend_type FROM pg_stat_activity`,
    );
    for (const row of rows as { pid: number; application_name: string; backend_type: string }[]) {
      const name = row.application_name ?? '';
      this.#postgres.set(
        row.pid,
        name.startsWith(this.#prefix)
          ? `postgres: ${name.slice(this.#prefix.length)}`
          : row.backend_type === 'client backend'
            ? 'postgres: other work on the machine'
            : 'postgres: background (shared)',
      );
    }
  }

  #benchPids: () => number[] = () => [];

  #pids(): number[] {
    return [...this.#postgres.keys(), ...this.#benchPids()];
  }

  /** A process's CPU ticks; the bench's own are its own (its children are groups of theirs). */
  #ticks(pid: number, s: Stat): number {
    return pid === process.pid ? s.own : s.own + s.reaped;
  }

  /** Starts a phase over the bench's processes (`pids()`) and every PostgreSQL process. */
  async start(pids: () => number[]): Promise<void> {
    this.#benchPids = pids;
    await this.#learnPostgres();
    const base = new Map<number, number>();
    for (const pid of this.#pids()) {
      const s = stat(pid);
      if (s) base.set(pid, this.#ticks(pid, s));
    }
    const timer = setInterval(() => {
      this.#sampling = this.#sample();
    }, SAMPLE_MS);
    this.#phase = {
      started: performance.now(),
      startTicks: uptimeTicks(),
      machine: machine(),
      base,
      last: new Map(base),
      timer,
    };
  }

  async #sample(): Promise<void> {
    const phase = this.#phase;
    if (!phase) return;
    await this.#learnPostgres().catch(() => undefined);
    for (const pid of this.#pids()) {
      const s = stat(pid);
      if (!s) continue;
      // Born during the phase: all of its time is the phase's.
      const ticks = this.#ticks(pid, s);
      if (!phase.base.has(pid)) phase.base.set(pid, s.start >= phase.startTicks ? 0 : ticks);
      phase.last.set(pid, ticks);
    }
  }

  /** Ends the phase: CPU seconds by group. */
  async stop(): Promise<CpuReport> {
    const phase = this.#phase;
    if (!phase) throw new Error('CpuMeter.stop() without start()');
    clearInterval(phase.timer);
    await this.#sampling;
    await this.#sample();
    this.#phase = undefined;
    const wallSeconds = (performance.now() - phase.started) / 1000;
    const groups = new Map<string, number>();
    for (const [pid, last] of phase.last) {
      const group = this.#postgres.get(pid) ?? this.#groupOf(pid);
      if (group === undefined) continue;
      const seconds = (last - (phase.base.get(pid) ?? last)) / HZ;
      groups.set(group, (groups.get(group) ?? 0) + seconds);
    }
    const now = machine();
    const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    return { wallSeconds, groups, machineSeconds: (now.busy - phase.machine.busy) / HZ, load };
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}
