// What `certsweep scan` prints on a terminal: one table row per target worth a look, and the
// tally behind the summary line and the exit code.
import { humanise } from '../monitor/index.js';
import { formatTarget } from '../targets/index.js';
import type { Judged } from './describe.js';
import { type Column, renderTable } from './table.js';

/** Failures that say only that nothing answered: counted, listed only in a small scan. */
const DARK = new Set(['REFUSED', 'TIMEOUT', 'UNREACHABLE']);
/** The most dark targets listed one by one; past it they are only counted. */
const DARK_ROWS = 20;

const COLUMNS: readonly Column[] = [
  { header: 'SUBJECT', max: 40 },
  { header: 'WHERE', max: 48 },
  { header: 'EXPIRES IN', max: 16 },
  { header: 'PROBLEMS', max: 120, flex: true },
];

interface Row {
  readonly cells: readonly string[];
  readonly target: Judged['result']['target'];
}

/** Whether a judged result counts as good: it answered, its chain is valid and not revoked. */
export function isGood(judged: Judged): boolean {
  return (
    judged.result.ok && judged.verdict?.valid === true && judged.revocation?.status !== 'revoked'
  );
}

/**
 * The tally of a scan: counts for the summary line and the exit code, and the table's rows
 * (every target that answered or failed in an interesting way; dark ones only while few).
 */
export class ScanReport {
  targets = 0;
  answered = 0;
  valid = 0;
  invalid = 0;
  readonly failures = new Map<string, number>();
  readonly #certificates = new Set<string>();
  readonly #rows: Row[] = [];
  readonly #dark: Row[] = [];
  #darkCount = 0;
  readonly #now: number;

  constructor(now = Date.now()) {
    this.#now = now;
  }

  /** Counts one result, and keeps its row when `rows` is true (the table is wanted). */
  add(judged: Judged, rows: boolean): void {
    this.targets++;
    const { result } = judged;
    if (!result.ok) {
      this.failures.set(result.error.code, (this.failures.get(result.error.code) ?? 0) + 1);
      const dark = DARK.has(result.error.code);
      if (dark) this.#darkCount++;
      if (!rows) return;
      const row = { cells: this.#cells(judged), target: result.target };
      if (!dark) this.#rows.push(row);
      else if (this.#dark.length < DARK_ROWS) this.#dark.push(row);
      return;
    }
    this.answered++;
    if (isGood(judged)) this.valid++;
    else this.invalid++;
    for (const cert of judged.chain.certificates) {
      if (cert) this.#certificates.add(cert.sha256Fingerprint);
    }
    if (rows) this.#rows.push({ cells: this.#cells(judged), target: result.target });
  }

  /** Distinct certificates seen. */
  get certificates(): number {
    return this.#certificates.size;
  }

  /** Targets that failed. */
  get failed(): number {
    return this.targets - this.answered;
  }

  /** The table, sorted by where; `width` is the terminal's, when it is one. */
  table(width: number | undefined): string {
    const rows = this.#darkCount <= DARK_ROWS ? [...this.#rows, ...this.#dark] : this.#rows;
    if (rows.length === 0) return '';
    rows.sort((a, b) => compareTargets(a.target, b.target));
    return renderTable(
      COLUMNS,
      rows.map((row) => row.cells),
      width === undefined ? {} : { width },
    );
  }

  /**
   * The summary line: `5 targets: 3 answered (2 valid, 1 invalid), 2 failed (REFUSED 2);
   * 4 certificates`.
   */
  summary(): string {
    const failures = [...this.failures.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, count]) => `${code} ${count}`);
    const unlisted =
      this.#darkCount > DARK_ROWS ? `; ${this.#darkCount} dark targets not listed` : '';
    return (
      `${plural(this.targets, 'target')}: ${this.answered} answered ` +
      `(${this.valid} valid, ${this.invalid} invalid), ${this.failed} failed` +
      `${failures.length > 0 ? ` (${failures.join(', ')})` : ''}; ` +
      `${plural(this.certificates, 'certificate')}${unlisted}`
    );
  }

  /** The summary as JSON, for `--json`. */
  summaryJson(): Record<string, unknown> {
    return {
      targets: this.targets,
      answered: this.answered,
      valid: this.valid,
      invalid: this.invalid,
      failed: this.failed,
      failures: Object.fromEntries([...this.failures.entries()].sort()),
      certificates: this.certificates,
    };
  }

  #cells(judged: Judged): string[] {
    const { result, verdict, revocation, chain } = judged;
    const where = formatTarget(result.target);
    if (!result.ok) {
      return ['', where, '', `${result.error.code}: ${result.error.message}`];
    }
    const leaf = chain.certificates[0];
    const subject =
      leaf === undefined
        ? '(unparseable certificate)'
        : (leaf.subject.commonName ?? (leaf.subject.text || '(empty subject)'));
    const expiresAt = verdict?.expiresAt?.getTime() ?? leaf?.notAfterMs;
    const expires =
      expiresAt === undefined
        ? ''
        : expiresAt < this.#now
          ? `expired ${humanise(this.#now - expiresAt)} ago`
          : humanise(expiresAt - this.#now);
    const errors = verdict?.problems.filter((p) => p.severity === 'error').map((p) => p.code) ?? [];
    if (revocation?.status === 'revoked' && !errors.includes('revoked')) errors.unshift('revoked');
    const warnings =
      verdict?.problems.filter((p) => p.severity === 'warning').map((p) => p.code) ?? [];
    const problems = [
      ...errors,
      ...(warnings.length > 0 ? [`warning: ${warnings.join(', ')}`] : []),
    ].join(', ');
    return [subject, where, expires, problems === '' ? '-' : problems];
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Addresses in numeric order (IPv4 before IPv6 before names), then port, then SNI name. */
function compareTargets(a: Row['target'], b: Row['target']): number {
  return (
    hostKey(a.host).localeCompare(hostKey(b.host)) ||
    a.port - b.port ||
    (a.servername ?? '').localeCompare(b.servername ?? '')
  );
}

function hostKey(host: string): string {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4)
    return `0${v4
      .slice(1)
      .map((part) => part.padStart(3, '0'))
      .join('.')}`;
  return host.includes(':') ? `1${host}` : `2${host}`;
}
