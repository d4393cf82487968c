// A fleet's database for one test file: a fresh inventory schema and a fresh queue schema on
// the test server, both dropped afterwards; and waiting for what the fleet's tables say.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from '../helpers/postgres.js';

export { POSTGRES_URL, postgresReachable } from '../helpers/postgres.js';

/** The two schemas of one fleet, on a pool of the test file's. */
export class FleetSchemas {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly queueSchema: string;

  constructor(label: string, url = POSTGRES_URL) {
    const tag = `${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
    this.schema = `test_fleet_${tag}`;
    this.queueSchema = `test_fleetq_${tag}`;
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
  }

  /** Drops both schemas and ends the pool. */
  async drop(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.queueSchema}" CASCADE`);
    await this.pool.end();
  }

  /** Rows of a query on the fleet's tables (`Q.` stands for the queue schema). */
  async rows<T>(sql: string, values: unknown[] = []): Promise<T[]> {
    const text = sql
      .replaceAll('Q.', `"${this.queueSchema}".`)
      .replaceAll('I.', `"${this.schema}".`);
    return (await this.pool.query(text, values)).rows as T[];
  }
}

/** Polls `check` until it returns something, for at most `ms`; throws naming `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
