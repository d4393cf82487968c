// The progress bar on stderr. Every terminal control sequence the command writes is in this
// file: the rest of the command writes plain text and asks the bar to step aside first.
import type { CommandIO } from './io.js';
import { sanitize } from './table.js';

/** What a {@link Progress} is told when it starts. */
export interface ProgressOptions {
  /** How many items there are, when known; without it the bar shows a count and a rate. */
  readonly total?: number;
  /** A word before the count, such as `scan`. Default: none. */
  readonly label?: string;
}

/**
 * A progress line on stderr: done/total, a bar, the rate and the time left.
 *
 * It draws only when stderr is a terminal (`io.stderr.isTTY`) and `TERM` is not `dumb`, at
 * most ten times a second and at least once a second while it runs (the rate and the time
 * left change even when nothing arrives). `NO_COLOR` (any value) draws the bar without colour.
 * With stderr not a terminal it writes nothing at all: logs and pipes get no progress lines
 * (what finished is in the command's own output).
 *
 * Before writing anything else to the same terminal, call {@link Progress.above} (or
 * {@link Progress.clear}); {@link Progress.end} clears the line for good.
 *
 * @example
 * ```ts
 * const progress = startProgress(io, { total: targets, label: 'scan' });
 * for await (const result of scan(spec)) {
 *   progress.tick();
 *   if (!result.ok) progress.above(() => io.stderr.write(`${result.error.message}\n`));
 * }
 * progress.end();
 * ```
 */
export interface Progress {
  /** Whether anything is drawn at all (stderr is a terminal). */
  readonly drawing: boolean;
  /** Counts `n` more items done (default 1), and `failed` of them as failed. */
  tick(n?: number, failed?: number): void;
  /** Sets the total, once it is known or when it changes. */
  setTotal(total: number | undefined): void;
  /** Erases the line; the next tick draws it again. */
  clear(): void;
  /** Erases the line, runs `write` (which writes to stdout or stderr), and draws it again. */
  above(write: () => void): void;
  /** Erases the line and stops drawing; later calls do nothing. */
  end(): void;
}

const FRAME_MS = 100;
const IDLE_MS = 1000;
/** The rate is measured over the last few seconds, so the time left follows the pace now. */
const WINDOW_MS = 10_000;
const ERASE = '\r\x1b[2K';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/**
 * Starts a progress line for `io` (see {@link Progress}). `now` is the clock, in
 * milliseconds; default `performance.now`.
 *
 * @example
 * ```ts
 * const progress = startProgress(io, { total: 512 });
 * ```
 */
export function startProgress(
  io: Pick<CommandIO, 'stderr' | 'env'>,
  options: ProgressOptions = {},
  now: () => number = () => performance.now(),
): Progress {
  const drawing = io.stderr.isTTY === true && io.env.TERM !== 'dumb';
  if (!drawing) return silentProgress();
  const color = io.env.NO_COLOR === undefined;
  const label = options.label === undefined ? '' : `${sanitize(options.label)} `;
  const started = now();
  const samples: { at: number; done: number }[] = [{ at: started, done: 0 }];
  let total = options.total;
  let done = 0;
  let failed = 0;
  let shown = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let dirty = true;
  let ended = false;

  const draw = () => {
    const at = now();
    lastDraw = at;
    dirty = false;
    // A terminal that reports no size (0 columns, as under `script`) is taken as 80 wide.
    const width = Math.max(20, (io.stderr.columns || 80) - 1);
    const line = renderProgress({ label, done, failed, total, rate: rateOf(at), width, color });
    io.stderr.write(`${ERASE}${line}`);
    shown = true;
  };
  const rateOf = (at: number) => {
    samples.push({ at, done });
    while (samples.length > 2 && (samples[0]?.at ?? at) < at - WINDOW_MS) samples.shift();
    const first = samples[0] ?? { at: started, done: 0 };
    const seconds = (at - first.at) / 1000;
    return seconds > 0.05 ? (done - first.done) / seconds : undefined;
  };
  // One timer: draws what changed at most every FRAME_MS, and refreshes once a second anyway.
  const timer = setInterval(() => {
    if (dirty || now() - lastDraw >= IDLE_MS) draw();
  }, FRAME_MS);
  timer.unref();
  draw();

  const clear = () => {
    if (shown) io.stderr.write(ERASE);
    shown = false;
    dirty = true;
  };
  return {
    drawing: true,
    tick(n = 1, bad = 0) {
      if (ended) return;
      done += n;
      failed += bad;
      dirty = true;
      if (now() - lastDraw >= FRAME_MS) draw();
    },
    setTotal(value) {
      total = value;
      dirty = true;
    },
    clear() {
      if (!ended) clear();
    },
    above(write) {
      if (ended) return write();
      clear();
      write();
      draw();
    },
    end() {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      clear();
    },
  };
}

function silentProgress(): Progress {
  return {
    drawing: false,
    tick() {},
    setTotal() {},
    clear() {},
    above: (write) => write(),
    end() {},
  };
}

/** What one progress line shows. */
export interface ProgressState {
  /** Printed first, as it is (already sanitized), with its trailing space. */
  readonly label: string;
  readonly done: number;
  readonly failed: number;
  readonly total: number | undefined;
  /** Items per second, when measurable. */
  readonly rate: number | undefined;
  /** Columns available. */
  readonly width: number;
  /** Whether to colour the bar. */
  readonly color: boolean;
}

/**
 * One progress line, without any erasing: `scan 42/100 [████░░░░] 42% 12.3/s ETA 5s`.
 * The bar takes what room the text leaves, and goes when there is too little.
 *
 * @example
 * ```ts
 * renderProgress({ label: '', done: 1, failed: 0, total: 4, rate: 2, width: 60, color: false });
 * ```
 */
export function renderProgress(state: ProgressState): string {
  const { label, done, failed, total, rate, width, color } = state;
  const count = total === undefined ? `${done}` : `${done}/${total}`;
  const parts = [
    failed > 0 ? `${failed} failed` : '',
    rate === undefined ? '' : `${formatRate(rate)}/s`,
    total !== undefined && rate !== undefined && rate > 0 && done < total
      ? `ETA ${formatSeconds((total - done) / rate)}`
      : '',
  ].filter((part) => part !== '');
  const share = total !== undefined && total > 0 ? Math.min(1, done / total) : undefined;
  const percent = share === undefined ? '' : ` ${Math.floor(share * 100)}%`;
  const tail = parts.length > 0 ? ` ${parts.join('  ')}` : '';
  const text = `${label}${count}${percent}${tail}`;
  const room = width - text.length - 3;
  if (share === undefined || room < 10) return text.slice(0, width);
  const barWidth = Math.min(40, room);
  const filled = Math.round(share * barWidth);
  const full = '█'.repeat(filled);
  const empty = '░'.repeat(barWidth - filled);
  const bar = color ? `${GREEN}${full}${RESET}${DIM}${empty}${RESET}` : `${full}${empty}`;
  return `${label}${count} ${bar}${percent}${tail}`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

/**
 * Seconds as the time left reads: `45s`, `3m05s`, `2h04m`, `3d02h`.
 *
 * @example
 * ```ts
 * formatSeconds(185); // "3m05s"
 * ```
 */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor((s % 86_400) / 3600))}h`;
}
