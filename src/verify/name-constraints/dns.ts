// DNS names against dNSName constraints (RFC 5280 section 4.2.1.10): a constraint covers
// itself and every name made by adding labels on its left; `.example.com` (a form RFC 5280
// leaves ambiguous, and webpki refuses) covers only names below it. A wildcard SAN stands for
// every name it can match, so it is excluded when any of them is, and permitted only when all
// of them are (CVE-2025-61727 is the bypass when a wildcard is compared as a plain string).

/** A presented DNS name, lower case, without a trailing dot. */
export interface DnsName {
  readonly text: string;
  /** For `*.example.com`: `example.com`, the part the wildcard label sits on. */
  readonly wildcardBase: string | undefined;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** Normalises a SAN or CN for comparison; `undefined` when it is not a usable DNS name. */
export function dnsName(text: string): DnsName | undefined {
  const lower = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  const labels = lower.split('.');
  if (labels.length === 0 || lower === '') return undefined;
  const first = labels[0] as string;
  const rest = labels.slice(1);
  if (!rest.every((label) => LABEL.test(label))) return undefined;
  if (first === '*') {
    return rest.length === 0 ? undefined : { text: lower, wildcardBase: rest.join('.') };
  }
  return LABEL.test(first) ? { text: lower, wildcardBase: undefined } : undefined;
}

/** Why a dNSName constraint is malformed, or `undefined` when it is well formed. */
export function malformedDnsConstraint(constraint: string): string | undefined {
  if (constraint === '') return undefined;
  if (constraint.startsWith('.')) {
    return `the dNSName constraint "${constraint}" starts with a period (RFC 5280 does not define that form; webpki rejects it)`;
  }
  const labels = constraint.toLowerCase().split('.');
  if (!labels.every((label) => LABEL.test(label))) {
    return `the dNSName constraint "${constraint}" is not a DNS name`;
  }
  return undefined;
}

/** Whether `name` (no wildcard) is in the subtree of `constraint`. */
function covers(constraint: string, name: string): boolean {
  const c = constraint.toLowerCase().replace(/\.$/, '');
  if (c === '') return true;
  if (c.startsWith('.')) return name.endsWith(c);
  return name === c || (name.endsWith(c) && name[name.length - c.length - 1] === '.');
}

/** Whether every name `name` stands for is in the subtree of `constraint`. */
export function dnsPermittedBy(name: DnsName, constraint: string): boolean {
  if (name.wildcardBase === undefined) return covers(constraint, name.text);
  // Every `x.base` is covered when `base` is covered, or when `.base` is the constraint.
  const base = name.wildcardBase;
  const c = constraint.toLowerCase().replace(/\.$/, '');
  return covers(constraint, base) || c === `.${base}`;
}

/** Whether some name `name` stands for is in the subtree of `constraint`. */
export function dnsExcludedBy(name: DnsName, constraint: string): boolean {
  if (dnsPermittedBy(name, constraint)) return true;
  if (name.wildcardBase === undefined) return false;
  // The one name `label.base` the wildcard can produce inside a constraint one label longer;
  // `.label.base` covers only names longer than any the wildcard produces.
  const c = constraint.toLowerCase().replace(/\.$/, '');
  if (c.startsWith('.')) return false;
  const dot = c.indexOf('.');
  return dot > 0 && c.slice(dot + 1) === name.wildcardBase;
}
