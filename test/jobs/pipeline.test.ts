// runJob keeps records in flight while the scan goes on, so the inventory stores them in
// batches, and still tells their outcomes one by one in the order of the results; a full
// window stops the scan. A real TLS server answers every SNI name of the job's targets.
import { describe, expect, it } from 'vitest';
import { targetKey } from '../../src/inventory/keys.js';
import { JobEvents, runJob } from '../../src/jobs/index.js';
import type { ScanResult } from '../../src/scan/index.js';
import { TrustStore } from '../../src/trust/index.js';
import { closedAfterAll } from '../helpers/closed-after-all.js';
import * as farm from '../helpers/farm.js';
import { Inventory, memoryStorage, type Storage } from './inventory.js';

const serving = farm.defaultServing();
const trust = TrustStore.fromPem(serving.root.pem);
const start = closedAfterAll();
const HOST = '127.23.10.1';

/** A job of one address and `names` SNI names on it: 1 + names targets on one server. */
function namesJob(port: number, names: number, concurrency = 8) {
  const sni = Array.from({ length: names }, (_, i) => `n${i}.pipeline.test`);
  return {
    name: 'pipeline',
    targets: { hosts: HOST, ports: port, sni: { [HOST]: sni } },
    scan: { concurrency },
  };
}

/** The key of the target a result is about, as the storage names it. */
function keyOf(result: ScanResult): string {
  return targetKey({
    address: result.address ?? result.target.host,
    port: result.target.port,
    servername: result.target.servername,
  });
}

/** Storage that takes `delayMs` to write each batch and logs what it was given, in order. */
function slowStorage(delayMs: number, onBatch: (keys: string[]) => void = () => {}) {
  const inner = memoryStorage();
  const keys: string[] = [];
  const sizes: number[] = [];
  const storage: Storage = {
    ...inner,
    name: 'slow-memory',
    async record(batch) {
      const names = batch.map((observation) => observation.target.key);
      keys.push(...names);
      sizes.push(batch.length);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      onBatch(names);
      return inner.record(batch);
    },
  };
  return { storage, keys, sizes };
}

describe('runJob: records in flight', () => {
  it('stores results in batches while the scan goes on, and tells them in their order', async () => {
    const server = await start(farm.startTlsServer(serving, { host: HOST }));
    const { storage, keys, sizes } = slowStorage(20);
    const inventory = await Inventory.open({ storage });
    const events = new JobEvents();
    const told: string[] = [];
    const done: number[] = [];
    const newBeforeResult: boolean[] = [];
    let newSinceResult = 0;
    events.on('certificate:new', () => newSinceResult++);
    events.on('result', (event) => {
      told.push(keyOf(event.result));
      newBeforeResult.push(newSinceResult > 0);
      newSinceResult = 0;
    });
    events.on('progress', (progress) => done.push(progress.done));

    const summary = await runJob(namesJob(server.port, 24), {
      inventory,
      trust,
      mode: 'full',
      events,
      progressIntervalMs: 0,
      recordsInFlight: 64,
    });
    expect(summary).toMatchObject({ status: 'completed', scanned: 25, newCertificates: 2 });
    // Records reached the storage while earlier ones were being stored.
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    // Told in the order the storage applied them, which is the order of the results.
    expect(told).toEqual(keys);
    expect(new Set(told).size).toBe(25);
    // One progress event per result, counting up, then the final count.
    expect(done).toEqual([...Array.from({ length: 25 }, (_, i) => i + 1), 25]);
    // The new certificates are told with the first result that brought them, before it.
    expect(newBeforeResult.indexOf(true)).toBe(0);
    expect(newBeforeResult.filter(Boolean)).toHaveLength(1);
    await inventory.close();
  });

  it('does not pull the scan while recordsInFlight records wait for the storage', async () => {
    const server = await start(farm.startTlsServer(serving, { host: HOST }));
    const recordsInFlight = 2;
    const concurrency = 1;
    let stored = 0;
    let aheadMost = 0;
    // Measured when a batch is written, after the storage took its time: every connection
    // accepted then is a result the run has pulled, and all but those stored are waiting.
    const { storage } = slowStorage(20, (batch) => {
      aheadMost = Math.max(aheadMost, server.accepted - stored);
      stored += batch.length;
    });
    const inventory = await Inventory.open({ storage });
    const summary = await runJob(namesJob(server.port, 29, concurrency), {
      inventory,
      trust,
      mode: 'full',
      recordsInFlight,
    });
    expect(summary).toMatchObject({ status: 'completed', scanned: 30 });
    expect(server.accepted).toBe(30);
    // In flight at most: the window, the probes the scanner runs, one result it holds.
    expect(aheadMost).toBeLessThanOrEqual(recordsInFlight + concurrency + 1);
    expect(aheadMost).toBeGreaterThan(0);
    await inventory.close();
  });
});
