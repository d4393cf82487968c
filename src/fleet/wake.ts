// Waking the members of a zone when a run of it is planned: PostgreSQL's LISTEN/NOTIFY on the
// fleet's own channel, beside the queue's poll (pg-boss 10 only polls). The queue stays the
// only source of work: a wake-up makes a member's workers ask it now instead of at their next
// poll, and a lost notification costs no more than that poll.
import type { PostgresPool } from '../inventory/index.js';
import type { FleetTables } from './schema.js';

/** The channel every fleet notifies on; the payload names the queue schema and the zone. */
export const WAKE_CHANNEL = 'certsweep_fleet';

/** The payload telling a fleet's members of a zone that it has new chunks. */
export function wakePayload(t: FleetTables, zone: string): string {
  return `${t.schema}:${zone}`;
}

/** A connection of its own that hears notifications (`pg`'s `Client`). */
export interface ListeningClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

/**
 * How a member opens its listening connection: a `pg` `Client` with the connection settings
 * of its own pool, or of a `pg` `Pool` it was given; `undefined` for another kind of pool
 * (its workers poll). The connection is not taken from the pool, which stays whole for work.
 */
export async function listeningClients(
  pool: PostgresPool,
): Promise<(() => ListeningClient) | undefined> {
  const options = (pool as { options?: unknown }).options;
  if (typeof options !== 'object' || options === null) return undefined;
  try {
    const pg = (await import('pg')).default;
    if (!(pool instanceof pg.Pool)) return undefined;
    return () => new pg.Client(options as object) as unknown as ListeningClient;
  } catch {
    return undefined;
  }
}

/**
 * One connection kept listening: `wake(zone)` for each notification of this fleet (its queue
 * schema) naming a zone. Without a way to open one, it gives none.
 */
export class WakeListener {
  readonly #open: (() => ListeningClient) | undefined;
  readonly #prefix: string;
  readonly #wake: (zone: string) => void;
  #client: ListeningClient | undefined;
  #closed = false;

  constructor(
    open: (() => ListeningClient) | undefined,
    t: FleetTables,
    wake: (zone: string) => void,
  ) {
    this.#open = open;
    this.#prefix = `${t.schema}:`;
    this.#wake = wake;
  }

  /** Listens, when not listening already (a lost connection is listened again on the next call). */
  async listen(): Promise<void> {
    if (this.#client || this.#closed || !this.#open) return;
    const client = this.#open();
    client.on('notification', ({ channel, payload }) => {
      if (channel === WAKE_CHANNEL && payload?.startsWith(this.#prefix)) {
        this.#wake(payload.slice(this.#prefix.length));
      }
    });
    client.on('error', () => {
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) await client.end().catch(() => undefined);
    else this.#client = client;
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
