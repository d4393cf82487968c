// Servers a test file starts, closed after its last test. Kept out of farm.ts, which the
// benchmarks import outside the test runner.
import { afterAll } from 'vitest';

/**
 * For a test file: a function that awaits a server (or a farm, anything with `close()`) and
 * closes it once every test of the file has run.
 *
 * @example
 * ```ts
 * const start = closedAfterAll();
 * const server = await start(farm.silent());
 * ```
 */
export function closedAfterAll(): <T extends { close(): Promise<void> }>(
  server: Promise<T>,
) => Promise<T> {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  return async (server) => {
    const running = await server;
    servers.push(running);
    return running;
  };
}
