import type { Readable, Writable } from 'node:stream';

/**
 * What a command reads and writes: the process's streams and environment, passed in so that a
 * command never reaches for `process` itself.
 */
export interface CommandIO {
  /** Results: the table, JSON Lines, the plugin line. */
  readonly stdout: Writable & { readonly isTTY?: boolean };
  /** Progress and errors. A progress bar is drawn only when this is a terminal. */
  readonly stderr: Writable & { readonly isTTY?: boolean; readonly columns?: number };
  /** Input, for `import -` and the like. */
  readonly stdin: Readable;
  /** The environment (`CERTSWEEP_STORE`, `CERTSWEEP_TOKEN`, `NO_COLOR`…). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory relative paths are resolved against. */
  readonly cwd: string;
  /**
   * Aborted when the process is asked to stop (SIGINT, SIGTERM). A long-running command ends
   * cleanly on it: what it has done is kept, and it returns its exit code.
   */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` on each SIGHUP (a daemon's "reload your configuration") until the
   * returned function is called. Absent where there is no such signal: nothing calls back.
   */
  readonly onHangup?: (listener: () => void) => () => void;
}

/** The process's own {@link CommandIO}, with `signal` aborted on SIGINT or SIGTERM. */
export function processIO(): CommandIO {
  const stop = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      // A second signal while stopping: the user means it.
      process.exit(name === 'SIGINT' ? 130 : 143);
    }
    stop.abort(new Error(`stopped by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: opening stdin costs a check milliseconds it does not need.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal: stop.signal,
    onHangup(listener) {
      process.on('SIGHUP', listener);
      return () => process.off('SIGHUP', listener);
    },
  };
}
