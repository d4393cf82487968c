// Waking the members of a zone when a run of it is planned: PostgreSQL's LISTEN/NOTIFY on the
// fleet's own channel, beside the queue's poll (pg-boss 10 only polls). The queue stays the
// only source of work: a wake-up makes a member's workers ask it now instead of at their next
// poll, and a lost notification costs no more than that poll.
import type { PostgresPool, PostgresPoolClient } from '../inventory/index.js';
import type { FleetTables } from './schema.js';

/** The channel every fleet notifies on; the payload names the queue schema and the zone. */
export const WAKE_CHANNEL = 'certsweep_fleet';

/** The payload telling a fleet's members of a zone that it has new chunks. */
export function wakePayload(t: FleetTables, zone: string): string {
  return `${t.schema}:${zone}`;
}

/** What `pg`'s client is beside a pool's: one that hears notifications. */
interface Listening extends PostgresPoolClient {
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

function listens(client: PostgresPoolClient): client is Listening {
  return typeof (client as Partial<Listening>).on === 'function';
}

/**
 * One connection of the pool kept listening: `wake(zone)` for each notification of this
 * fleet (its queue schema) naming a zone. A pool whose connections hear no notifications
 * (not `pg`'s) gives none: its workers poll.
 */
export class WakeListener {
  readonly #pool: PostgresPool;
  readonly #prefix: string;
  readonly #wake: (zone: string) => void;
  #client: Listening | undefined;
  #closed = false;

  constructor(pool: PostgresPool, t: FleetTables, wake: (zone: string) => void) {
    this.#pool = pool;
    this.#prefix = `${t.schema}:`;
    this.#wake = wake;
  }

  /** Listens, when not listening already (a lost connection is listened again on the next call). */
  async listen(): Promise<void> {
    if (this.#client || this.#closed) return;
    const client = await this.#pool.connect();
    if (!listens(client)) {
      client.release();
      this.#closed = true;
      return;
    }
    client.on('notification', ({ channel, payload }) => {
      if (channel === WAKE_CHANNEL && payload?.startsWith(this.#prefix)) {
        this.#wake(payload.slice(this.#prefix.length));
      }
    });
    client.on('error', () => {
      if (this.#client === client) this.#client = undefined;
      client.release(true);
    });
    try {
      await client.query(`LISTEN ${WAKE_CHANNEL}`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    this.#client = client;
  }

  /** Stops listening and gives the connection back. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${WAKE_CHANNEL}`);
      client.release();
    } catch {
      client.release(true);
    }
  }
}
