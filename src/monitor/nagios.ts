import { DEFAULT_ZONE } from '../inventory/keys.js';
import { checkExpiryCheck } from './arguments.js';
import type { CheckState, ExpiryCheck, TargetCheck } from './types.js';

/** Plugin output and exit code. */
export interface NagiosOutput {
  /** The plugin line with performance data, then one detail line per target. */
  output: string;
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  exitCode: 0 | 1 | 2 | 3;
}

const EXIT: Record<CheckState, 0 | 1 | 2 | 3> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };
const MAX_PERFDATA_TARGETS = 20;

/**
 * Formats a check as Nagios/Icinga plugin output: a first line `CERTSWEEP STATE - summary`
 * with performance data (seconds left for every certificate of every chain, with the warning
 * and critical thresholds in Nagios range form), one detail line per target (its state from
 * its own verdict, its zone when not the default one), and the exit
 * code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). A certificate that could not be parsed is
 * CRITICAL `certificate could not be parsed: …` and has no perfdata. Text from certificates
 * and parse errors is sanitised: a `|`, quote, `=` or line break in a subject cannot break
 * the line or the performance data.
 *
 * @example
 * ```ts
 * const { output, exitCode } = formatNagios(await checkExpiry(inventory, { host: 'www.example.com' }));
 * console.log(output);
 * process.exitCode = exitCode;
 * ```
 */
export function formatNagios(check: ExpiryCheck): NagiosOutput {
  checkExpiryCheck(check);
  const perfdata: string[] = [];
  for (const target of check.targets.slice(0, MAX_PERFDATA_TARGETS)) {
    target.chain.forEach((cert, index) => {
      // No validity, no number: the parse error is in the text.
      if (cert.parseError !== null) return;
      const where =
        target.port === 0 ? '' : `${target.servername ?? target.address}:${target.port} `;
      const label = `${where}${index === 0 ? 'leaf' : `chain${index}`} ${commonName(cert.subject)}`;
      perfdata.push(
        `'${perfLabel(label)}'=${cert.secondsLeft}s;${cert.warningSeconds}:;${cert.criticalSeconds}:;;`,
      );
    });
  }
  const first = `CERTSWEEP ${check.state} - ${text(check.summary)}`;
  const details = check.targets.map((target) => {
    const where =
      target.port === 0
        ? 'certificate'
        : `${target.host}:${target.port}${target.servername && target.servername !== target.host ? ` (SNI ${target.servername})` : ''} [${zoned(target)}]`;
    return text(
      `${target.state}: ${where}${target.reasons.length > 0 ? ` - ${target.reasons.join('; ')}` : ''}`,
    );
  });
  const output = [
    perfdata.length > 0 ? `${first} | ${perfdata.join(' ')}` : first,
    ...details,
  ].join('\n');
  return { output, exitCode: EXIT[check.state] };
}

/** Where a target is: its address, after its zone unless that is the default one. */
function zoned(target: TargetCheck): string {
  return target.zone === '' || target.zone === DEFAULT_ZONE
    ? target.address
    : `${target.zone} ${target.address}`;
}

/** Plugin text: one line, no `|` (it starts the performance data). */
function text(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replaceAll('|', '¦');
}

/** A perfdata label: no `=` or line breaks; a single quote doubled, as the format wants. */
function perfLabel(value: string): string {
  return text(value).replaceAll('=', ':').replaceAll("'", "''");
}

function commonName(subject: string): string {
  const match = /(?:^|,\s*)CN=((?:\\.|[^,])*)/.exec(subject);
  return match?.[1] ?? subject;
}
