import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error the command reports as one line on stderr (`certsweep: <message>`), never with a
 * stack trace, and exits with {@link CliError.exitCode}.
 */
export class CliError extends Error {
  /** The exit code the command ends with. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A wrong command line: an unknown option or a bad value, named in the message. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
