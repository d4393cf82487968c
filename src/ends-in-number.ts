// One rule for names that are really IPv4 addresses, shared by target parsing and SNI.

// WHATWG URL rule: a host whose last label is a number is an IPv4 address, never a name.
const ENDS_IN_NUMBER = /(?:^|\.)(?:\d+|0x[\da-f]*)\.?$/i;

/**
 * Whether a host is an IPv4 address in shorthand (`127.1`, `0x7f000001`, `2130706433`) or
 * dotted form: its last label is a number. The system resolver reads such a host as an
 * address, and so does a browser (the URL standard's "ends in a number"); no top-level domain
 * is numeric.
 */
export function endsInNumber(host: string): boolean {
  return ENDS_IN_NUMBER.test(host);
}
