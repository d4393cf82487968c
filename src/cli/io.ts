import { writeSync } from 'node:fs';
import { type Readable, Writable } from 'node:stream';

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

/** How {@link processIO} binds the process. */
export interface ProcessIOOptions {
  /**
   * Write stdout synchronously to file descriptor 1, never a terminal, instead of through
   * `process.stdout`: for a command that prints a line and exits (the monitoring plugin), to
   * which setting up Node's stream on a pipe costs more than the line. Default: false.
   */
  readonly syncStdout?: boolean;
}

/** The process's own {@link CommandIO}, with `signal` aborted on SIGINT or SIGTERM. */
export function processIO(options: ProcessIOOptions = {}): CommandIO {
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
    stdout: options.syncStdout === true ? descriptorWriter(1) : process.stdout,
    // Getters: opening stdin, or stderr on a pipe, costs a check that writes neither time it
    // does not need.
    get stderr() {
      return process.stderr;
    },
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

/** A stream that writes each chunk whole to file descriptor `fd` before it calls back. */
function descriptorWriter(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}
