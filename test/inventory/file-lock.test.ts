// The file store's lock: stale locks are recognised by pid, process start time, boot id and
// host, so pid reuse neither keeps a dead writer's lock alive nor lets a live one be taken;
// and when several processes race to take over one stale lock, exactly one wins.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageLockedError } from '../../src/errors.js';
import { OpenedStores } from './file-stores.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const linux = process.platform === 'linux';
let dir: string;
let store: string;
const stores = new OpenedStores();

/** This process's start time in clock ticks since boot, as `/proc/<pid>/stat` gives it. */
function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}
const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
function writeLock(owner: Record<string, unknown>): string {
  const text = `${JSON.stringify({ nonce: 'test', ...owner })}\n`;
  writeFileSync(join(store, 'LOCK'), text);
  return text;
}
async function openStore(): Promise<unknown> {
  try {
    await stores.open({ path: store });
    return 'opened';
  } catch (error) {
    return error;
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'certsweep-lock-'));
  store = join(dir, 'store');
  mkdirSync(store);
});
afterEach(async () => {
  await stores.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(linux)('file storage lock: who holds it', () => {
  const me = () => ({ pid: process.pid, host: hostname(), boot: bootId() });

  it('takes over a lock with this very pid but another start time (pid reused)', async () => {
    writeLock({ ...me(), start: String(Number(startOf(process.pid)) + 1) });
    expect(await openStore()).toBe('opened');
    expect(JSON.parse(readFileSync(join(store, 'LOCK'), 'utf8'))).toMatchObject({
      pid: process.pid,
      start: startOf(process.pid),
    });
  });

  it('takes over a lock with this very pid written before a reboot (another boot id)', async () => {
    writeLock({
      ...me(),
      start: startOf(process.pid),
      boot: '00000000-0000-0000-0000-000000000000',
    });
    expect(await openStore()).toBe('opened');
  });

  it('takes over a bare-pid lock of an earlier release naming this very process', async () => {
    writeFileSync(join(store, 'LOCK'), `${process.pid}\n`);
    expect(await openStore()).toBe('opened');
  });

  it('keeps a bare-pid lock of an earlier release naming another live process', async () => {
    writeFileSync(join(store, 'LOCK'), `${process.ppid}\n`);
    expect(await openStore()).toBeInstanceOf(StorageLockedError);
  });

  it('keeps a lock whose pid, start time and boot id match a live process', async () => {
    const text = writeLock({ ...me(), start: startOf(process.pid) });
    const error = await openStore();
    expect(error).toBeInstanceOf(StorageLockedError);
    expect((error as StorageLockedError).pid).toBe(process.pid);
    expect((error as Error).message).toMatch(/pid \d+ on .*stop that process first.*delete .*LOCK/);
    expect(readFileSync(join(store, 'LOCK'), 'utf8')).toBe(text);
  });

  it('keeps a lock held by a live process started by someone else', async () => {
    const parent = process.ppid;
    const text = writeLock({
      pid: parent,
      host: hostname(),
      boot: bootId(),
      start: startOf(parent),
    });
    expect(await openStore()).toBeInstanceOf(StorageLockedError);
    expect(readFileSync(join(store, 'LOCK'), 'utf8')).toBe(text);
  });

  it('never takes over a lock from another host, even naming a pid that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const text = writeLock({ pid: gone, host: `not-${hostname()}`, boot: bootId(), start: '1' });
    expect(await openStore()).toBeInstanceOf(StorageLockedError);
    expect(readFileSync(join(store, 'LOCK'), 'utf8')).toBe(text);
  });
});

/** A racer process and a way to read its answers line by line. */
function startRacer(): { child: ChildProcessWithoutNullStreams; next: () => Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lock-racer.ts', store], {
    cwd: FIXTURES,
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error('racer exited');
      return value as string;
    },
  };
}

describe.runIf(linux)('file storage lock: racing for a stale lock', () => {
  it('lets exactly one of several processes take over a stale lock, every round', async () => {
    const ROUNDS = 25;
    const racers = Array.from({ length: 4 }, startRacer);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // A lock left by a writer that died: its pid no longer exists.
        const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
        writeLock({ pid: gone, host: hostname(), boot: bootId(), start: '1' });
        const at = Date.now() + 150;
        for (const { child } of racers) child.stdin.write(`go ${at}\n`);
        const answers = await Promise.all(racers.map((r) => r.next()));
        const winners = racers.filter((_, i) => answers[i] === 'won');
        expect(answers.filter((a) => a !== 'won')).toEqual(
          Array(racers.length - 1).fill('lost CERTSWEEP_STORAGE_LOCKED'),
        );
        expect(winners).toHaveLength(1);
        // The lock names the winner (its first number is the pid, in every lock format).
        const lock = readFileSync(join(store, 'LOCK'), 'utf8');
        expect(Number(/\d+/.exec(lock)?.[0])).toBe(winners[0]?.child.pid);
        for (const racer of racers) racer.child.stdin.write('release\n');
        await Promise.all(racers.map((r) => r.next()));
      }
    } finally {
      for (const { child } of racers) child.kill();
    }
  }, 60_000);
});
