// Creates or drops PostgreSQL schemas of a scale run.
// Usage: node bench/inventory-scale-pg.mjs create|drop <schema>...
import pg from 'pg';
import { PG_URL } from './inventory-scale-stream.mjs';

const [action, ...names] = process.argv.slice(2);
for (const schema of names) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
}
const client = new pg.Client({ connectionString: PG_URL });
await client.connect();
try {
  for (const schema of names) {
    await client.query(
      action === 'create'
        ? `CREATE SCHEMA IF NOT EXISTS ${schema}`
        : `DROP SCHEMA IF EXISTS ${schema} CASCADE`,
    );
  }
} finally {
  await client.end();
}
console.log('{}');
