// Signature checks in worker threads, for a verifier's asynchronous path. On a cold chain the
// two costs are importing each issuer's key and checking each signature, about equal for EC;
// Node imports keys only synchronously, so both go to the workers, and the event loop keeps
// only parsing, path building and the checks. Workers start at the first check and end once
// idle, so a verifier that is let go holds no thread.

import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { PublicKeyInput } from '../x509/internal.js';

/** One signature to check: with the issuer's key, or what to import it from. */
export interface PoolCheck {
  key: KeyObject | PublicKeyInput;
  hash: string | null;
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** The answer: whether the signature verifies, and the key if the worker imported it. */
export interface PoolAnswer {
  valid: boolean;
  /** The imported key (`null`: it could not be imported); absent when one was given. */
  imported?: KeyObject | null;
}

// Plain JavaScript, evaluated as the worker's script: it answers batches of checks with the
// same calls, in the same order, as the synchronous path (import, then crypto.verify), and
// counts a failure of either as "does not verify".
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, KeyObject, verify } = require('node:crypto');
parentPort.on('message', (batch) => {
  const answers = [];
  for (const [id, input, hash, tbs, signature] of batch) {
    let key = input instanceof KeyObject ? input : undefined;
    let imported;
    if (key === undefined) {
      try { key = createPublicKey(input); } catch { key = null; }
      imported = key;
    }
    let valid = false;
    if (key !== null) {
      try { valid = verify(hash, tbs, key, signature); } catch { valid = false; }
    }
    answers.push([id, valid, imported]);
  }
  parentPort.postMessage(answers);
});
`;

/** Fewest checks sent to a worker in one message, when there are that many. */
const MIN_BATCH = 32;
/** How long workers stay after the last check, in ms. */
const IDLE_MS = 2000;

type Batch = [number, KeyObject | PublicKeyInput, string | null, Uint8Array, Uint8Array][];
type Answers = [number, boolean, KeyObject | null | undefined][];

interface Waiting {
  check: PoolCheck;
  resolve: (answer: PoolAnswer) => void;
  /** The worker it went to, once sent. */
  worker?: PoolWorker;
}

interface PoolWorker {
  worker: Worker;
  /** Checks sent and not answered. */
  pending: number;
}

/**
 * A few worker threads checking signatures, owned by one verifier. Checks queued in one turn
 * of the event loop go out together, one batch per worker, to the least busy ones.
 */
export class SignaturePool {
  readonly #size: number;
  readonly #fallback: (check: PoolCheck) => PoolAnswer;
  #workers: PoolWorker[] = [];
  readonly #waiting = new Map<number, Waiting>();
  #queued: [number, PoolCheck][] = [];
  #nextId = 0;
  #flush: NodeJS.Immediate | undefined;
  #idle: NodeJS.Timeout | undefined;

  /**
   * @param fallback - Answers a check on the calling thread when its worker failed, the
   * same way a worker would.
   */
  constructor(fallback: (check: PoolCheck) => PoolAnswer, size: number) {
    this.#fallback = fallback;
    this.#size = size;
  }

  /** Checks one signature in a worker. */
  check(check: PoolCheck): Promise<PoolAnswer> {
    if (this.#idle) {
      clearTimeout(this.#idle);
      this.#idle = undefined;
    }
    const id = this.#nextId++;
    this.#queued.push([id, check]);
    this.#flush ??= setImmediate(() => this.#send());
    return new Promise((resolve) => {
      // The worker is chosen when the batch goes out.
      this.#waiting.set(id, { check, resolve });
    });
  }

  /** Sends what was queued, split between the least busy workers. */
  #send(): void {
    this.#flush = undefined;
    const queued = this.#queued;
    this.#queued = [];
    if (this.#workers.length === 0) this.#start();
    if (this.#workers.length === 0) {
      // No thread could start: every check is answered here.
      for (const [id, check] of queued) this.#settle(id, this.#fallback(check));
      return;
    }
    const workers = [...this.#workers].sort((a, b) => a.pending - b.pending);
    // A message costs about as much as tens of checks' worth of copying (the worker wakes for
    // it), so a small queue goes whole to the least busy worker; a large one is shared out.
    const share = Math.max(MIN_BATCH, Math.ceil(queued.length / workers.length));
    for (let w = 0; w < workers.length && w * share < queued.length; w++) {
      const target = workers[w] as PoolWorker;
      const batch: Batch = [];
      for (const [id, check] of queued.slice(w * share, (w + 1) * share)) {
        batch.push([id, check.key, check.hash, check.tbs, check.signature]);
        const waiting = this.#waiting.get(id);
        if (waiting) waiting.worker = target;
      }
      if (target.pending === 0) target.worker.ref();
      target.pending += batch.length;
      target.worker.postMessage(batch);
    }
  }

  #start(): void {
    for (let i = 0; i < this.#size; i++) {
      let worker: Worker;
      try {
        worker = new Worker(WORKER_SOURCE, { eval: true });
      } catch {
        return;
      }
      const entry: PoolWorker = { worker, pending: 0 };
      worker.unref();
      worker.on('message', (answers: Answers) => this.#answer(entry, answers));
      // A worker that fails leaves its checks to the calling thread; the others go on.
      worker.on('error', () => this.#lose(entry));
      worker.on('exit', () => this.#lose(entry));
      this.#workers.push(entry);
    }
  }

  #answer(entry: PoolWorker, answers: Answers): void {
    for (const [id, valid, imported] of answers) {
      this.#settle(id, imported === undefined ? { valid } : { valid, imported });
    }
    entry.pending -= answers.length;
    // An idle worker does not keep the process alive.
    if (entry.pending === 0) entry.worker.unref();
    if (this.#waiting.size === 0 && this.#queued.length === 0) this.#idleSoon();
  }

  #settle(id: number, answer: PoolAnswer): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    waiting.resolve(answer);
  }

  /** Answers a lost worker's checks here and forgets the worker. */
  #lose(entry: PoolWorker): void {
    if (!this.#workers.includes(entry)) return;
    this.#workers = this.#workers.filter((w) => w !== entry);
    for (const [id, waiting] of this.#waiting) {
      if (waiting.worker === entry) this.#settle(id, this.#fallback(waiting.check));
    }
  }

  /** Ends the workers once nothing has been asked for a while. */
  #idleSoon(): void {
    this.#idle = setTimeout(() => {
      this.#idle = undefined;
      const workers = this.#workers;
      this.#workers = [];
      for (const { worker } of workers) void worker.terminate();
    }, IDLE_MS);
    this.#idle.unref();
  }
}
