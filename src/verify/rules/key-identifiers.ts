import { extensionOf, label, type Rule } from './context.js';

const SUBJECT_KEY_ID = '2.5.29.14';
const AUTHORITY_KEY_ID = '2.5.29.35';

/**
 * RFC 5280 4.2.1.1-2 and the CA/Browser Forum: every certificate but a root names its
 * issuer's key (keyIdentifier), CAs carry their own key identifier, a root's authority key
 * identifier (optional) is its own, and neither is critical. A trust anchor is a name and a
 * key (RFC 5280 6.1): only the advice about roots applies to it, as browsers hold roots that
 * break the other rules.
 */
export const keyIdentifiers: Rule = (context) => {
  const { cert, isRoot, isAnchor, index, report } = context;
  if (cert.version < 3) return;
  const aki = extensionOf(cert, AUTHORITY_KEY_ID);
  const ski = extensionOf(cert, SUBJECT_KEY_ID);
  if (!isRoot && !isAnchor && cert.authorityKeyId === undefined) {
    report(
      'missing-authority-key-id',
      cert,
      `${label(cert)} has no authority key identifier (keyIdentifier) naming its issuer's key`,
    );
  }
  if (aki && cert.authorityKeyIdNamesIssuer && !isAnchor) {
    report(
      'authority-key-id-names-issuer',
      cert,
      `the authority key identifier of ${label(cert)} names the issuer by name and serial number, which CAs may not do`,
    );
  }
  if (
    isRoot &&
    cert.authorityKeyId !== undefined &&
    cert.subjectKeyId !== undefined &&
    cert.authorityKeyId !== cert.subjectKeyId
  ) {
    report(
      'root-authority-key-id-mismatch',
      cert,
      `root ${label(cert)} has an authority key identifier that is not its own subject key identifier`,
    );
  }
  if ((index > 0 || cert.isCA) && !isAnchor && !ski) {
    report(
      'missing-subject-key-id',
      cert,
      `CA certificate ${label(cert)} has no subject key identifier`,
    );
  }
  for (const extension of [aki, ski]) {
    if (extension?.critical && !isAnchor) {
      report(
        'critical-key-identifier',
        cert,
        `${label(cert)} marks its ${extension.name ?? extension.oid} extension critical, which RFC 5280 forbids`,
      );
    }
  }
};
