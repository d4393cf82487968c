// Fixed-width text tables for the terminal, and the one place untrusted text (subjects, SANs,
// error messages that quote a server) is made safe to print.

/** One column of a {@link renderTable} table. */
export interface Column {
  /** The heading. */
  readonly header: string;
  /** Widest the column gets, in characters; longer cells end in `…`. Default: 40. */
  readonly max?: number;
  /** `right` for numbers. Default: `left`. */
  readonly align?: 'left' | 'right';
  /**
   * Whether this column gives up width when the table is wider than `width` (down to 10
   * characters), and takes what is left over up to its `max`. Default: `false`.
   */
  readonly flex?: boolean;
}

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** The terminal's width: flexible columns shrink to fit it. Default: no limit. */
  readonly width?: number;
}

const GAP = '  ';
const DEFAULT_MAX = 40;
const MIN_FLEX = 10;

/**
 * Characters a terminal acts on instead of printing: C0 and C1 controls, DEL, and the Unicode
 * controls that reorder or hide text (bidirectional overrides and isolates, zero-width
 * characters, line and paragraph separators, the byte-order mark).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * Makes text from a certificate or a server safe to print on a terminal: every control
 * character (an escape sequence's ESC included, so no sequence survives) is written as a
 * visible escape (`\x1b`, `\u202e`) instead, and the rest is left as it is.
 *
 * @example
 * ```ts
 * sanitize('evil\u001b[2Jname'); // "evil\\x1b[2Jname"
 * ```
 */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Cuts text to `width` characters (code points), ending in `…` when it was longer.
 *
 * @example
 * ```ts
 * truncate('CN=www.example.com', 10); // "CN=www.ex…"
 * ```
 */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

const lengthOf = (text: string) => Array.from(text).length;

/**
 * A table with a heading line, columns two spaces apart, every cell sanitized (see
 * {@link sanitize}) and cut to its column's width. Lines end in `\n`, without trailing blanks.
 *
 * @example
 * ```ts
 * renderTable([{ header: 'host' }, { header: 'port', align: 'right' }], [['a.test', '443']]);
 * // "host    port\na.test   443\n"
 * ```
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const cells = rows.map((row) => columns.map((_, i) => sanitize(row[i] ?? '')));
  const widths = columns.map((column, i) => {
    const longest = Math.max(
      lengthOf(column.header),
      ...cells.map((row) => lengthOf(row[i] ?? '')),
    );
    return Math.min(longest, Math.max(column.max ?? DEFAULT_MAX, lengthOf(column.header)));
  });
  if (options.width !== undefined) shrinkToWidth(columns, widths, options.width);
  const line = (row: readonly string[]) =>
    columns
      .map((column, i) => {
        const width = widths[i] ?? 0;
        const cell = truncate(row[i] ?? '', width);
        const pad = ' '.repeat(Math.max(0, width - lengthOf(cell)));
        return column.align === 'right' ? pad + cell : cell + pad;
      })
      .join(GAP)
      .trimEnd();
  return `${[line(columns.map((c) => sanitize(c.header))), ...cells.map(line)].join('\n')}\n`;
}

/** Shrinks the flexible columns, last first, until the table fits `width` or they are narrow. */
function shrinkToWidth(columns: readonly Column[], widths: number[], width: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  for (let i = columns.length - 1; i >= 0 && total() > width; i--) {
    if (columns[i]?.flex !== true) continue;
    const current = widths[i] ?? 0;
    widths[i] = Math.max(Math.min(current, MIN_FLEX), current - (total() - width));
  }
}
