import type { DistinguishedName, NameAttribute } from '../../x509/index.js';

// directoryName constraints: a constraint covers every name whose RDN sequence starts with
// the constraint's RDNs (RFC 5280 section 4.2.1.10). RDNs compare as sets of attributes;
// string values compare as RFC 5280 section 7.1 asks at least: surrounding whitespace
// removed, inner runs of whitespace folded to one space, without case.

function fold(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

function sameRdn(a: readonly NameAttribute[], b: readonly NameAttribute[]): boolean {
  if (a.length !== b.length) return false;
  const key = (x: NameAttribute) => `${x.oid}=${fold(x.value)}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((k, i) => k === right[i]);
}

/** Whether `name` is in the subtree of the directoryName `constraint`. */
export function directoryWithin(name: DistinguishedName, constraint: DistinguishedName): boolean {
  if (constraint.rdns.length > name.rdns.length) return false;
  return constraint.rdns.every((rdn, i) => sameRdn(rdn, name.rdns[i] as readonly NameAttribute[]));
}
