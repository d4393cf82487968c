// The lab the job tests run against: a farm of TLS servers on `<prefix>.1` to `<prefix>.<count>`
// sharing one port, and optionally a host that accepts and never answers, started before a
// test file's tests and closed after them.
import { afterAll, beforeAll } from 'vitest';
import { TrustStore } from '../../src/trust/index.js';
import * as farm from '../helpers/farm.js';

export interface Lab {
  /** The chain the farm serves, and its root. */
  readonly serving: ReturnType<typeof farm.defaultServing>;
  /** A trust store holding the farm's root. */
  readonly trust: TrustStore;
  /** The farm's port, on every address. */
  readonly port: number;
  /** The silent host; only when asked for. */
  readonly silent: farm.Running;
}

/** Starts the lab in `beforeAll` and closes it in `afterAll` of the calling test file. */
export function useLab(prefix: string, count: number, options: { silentHost?: string } = {}): Lab {
  const serving = farm.defaultServing();
  const trust = TrustStore.fromPem(serving.root.pem);
  let tlsFarm: Awaited<ReturnType<typeof farm.startTlsFarm>> | undefined;
  let silent: farm.Running | undefined;
  beforeAll(async () => {
    tlsFarm = await farm.startTlsFarm(serving, prefix, count);
    if (options.silentHost) silent = await farm.silent({ host: options.silentHost });
  });
  afterAll(async () => {
    await tlsFarm?.close();
    await silent?.close();
  });
  return {
    serving,
    trust,
    get port() {
      if (!tlsFarm) throw new Error('the lab is not started: use it inside a test');
      return tlsFarm.port;
    },
    get silent() {
      if (!silent) throw new Error('no silent host: pass { silentHost } to useLab()');
      return silent;
    },
  };
}
