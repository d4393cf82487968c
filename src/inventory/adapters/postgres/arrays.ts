// Array parameters of a batch's statements as PostgreSQL array literals (`{"a","b"}`), which a
// `$1::text[]` reads whatever client sends them. `pg` builds each literal itself, appending
// element after element (each quoted, each escaped) to a string: for a batch's columns of
// 2,000 rows that was half of everything a recording process allocated, and the garbage
// that grew its heap. Here the common case is one `join()`. `undefined` is a null, as `pg`
// has it.

/** Text elements as an array literal. */
export function textArray(values: readonly (string | null | undefined)[]): string {
  if (values.length === 0) return '{}';
  for (const value of values) {
    if (value == null || value.includes('"') || value.includes('\\')) {
      return `{${values.map(element).join(',')}}`;
    }
  }
  return `{"${values.join('","')}"}`;
}

/** What needs quotes in an array literal: see "Array Value Input" in PostgreSQL's manual. */
const SPECIAL = /[{}",\\\s]/;

/** One element: as it is where it can be, so that a mostly null column makes few strings. */
function element(value: string | null | undefined): string {
  if (value == null) return 'NULL';
  if (value !== '' && !SPECIAL.test(value) && !(value.length === 4 && /^null$/i.test(value))) {
    return value;
  }
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** Numbers (integers, for `int4[]` and `int8[]`) as an array literal. */
export function numberArray(values: readonly (number | null | undefined)[]): string {
  for (const value of values) {
    if (value == null) return `{${values.map((v) => (v == null ? 'NULL' : String(v))).join(',')}}`;
  }
  return `{${values.join(',')}}`;
}

/** Booleans as an array literal. */
export function boolArray(values: readonly (boolean | null | undefined)[]): string {
  return `{${values.map((v) => (v == null ? 'NULL' : v ? 't' : 'f')).join(',')}}`;
}
