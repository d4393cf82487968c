/**
 * The command's exit codes, documented in `docs/cli.md`. `certsweep check` uses the Nagios
 * plugin codes instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
export const EXIT = {
  /** Done, and nothing was found wrong. */
  ok: 0,
  /** Done, and something was found wrong: a target failed, a chain is invalid or expiring. */
  findings: 1,
  /** The command line was wrong: an unknown option, a missing or malformed value. */
  usage: 2,
  /** The work could not be done: the store, a file or the network failed. */
  failure: 3,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
