import type { Certificate } from '../../x509/index.js';
import type { ProblemCode } from '../types.js';

/** Records a problem of `cert`; its severity comes from the profile. */
export type Report = (code: ProblemCode, cert: Certificate | undefined, message: string) => void;

/** One certificate of a candidate path, as a rule sees it. */
export interface RuleContext {
  /** The certificate judged. */
  readonly cert: Certificate;
  /** The path, leaf first. */
  readonly certs: readonly Certificate[];
  /** Position of `cert` in the path: 0 is the leaf. */
  readonly index: number;
  /** Whether `cert` is the trust anchor that ends the path. */
  readonly isAnchor: boolean;
  /** Whether `cert` ends the path as a self-issued root (anchor or untrusted self-signed). */
  readonly isRoot: boolean;
  readonly report: Report;
}

/** A rule checks one certificate of a path and reports what it finds. */
export type Rule = (context: RuleContext) => void;

/** `"subject"` of a certificate, for messages. */
export const label = (cert: Certificate) => `"${cert.subject.text || '(empty subject)'}"`;

/** Whether the certificate acts as a CA on this path: it issued the one below, or says cA. */
export const actsAsCA = ({ cert, index }: RuleContext) => index > 0 || cert.isCA;

/** The extension with this OID, if present. */
export function extensionOf(cert: Certificate, oid: string) {
  return cert.extensions.find((extension) => extension.oid === oid);
}
