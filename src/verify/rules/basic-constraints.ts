import { actsAsCA, extensionOf, label, type Rule } from './context.js';

const BASIC_CONSTRAINTS = '2.5.29.19';

/**
 * RFC 5280 4.2.1.9 and 4.1.2.6 and the CA/Browser Forum: a CA marks basicConstraints critical
 * and has a subject; a leaf is not a CA; only a CA signs certificates; certificates are
 * version 3. Trust anchors are exempt (browsers hold roots that break these rules).
 */
export const basicConstraints: Rule = (context) => {
  const { cert, index, isAnchor, report } = context;
  const ca = actsAsCA(context);
  if (
    ca &&
    !isAnchor &&
    cert.hasBasicConstraints &&
    !extensionOf(cert, BASIC_CONSTRAINTS)?.critical
  ) {
    report(
      'basic-constraints-not-critical',
      cert,
      `CA certificate ${label(cert)} does not mark basicConstraints critical`,
    );
  }
  if (index === 0 && cert.isCA) {
    report(
      'ca-as-leaf',
      cert,
      `${label(cert)} is a CA certificate (basicConstraints cA=TRUE) used as a server certificate`,
    );
  }
  if (!cert.isCA && cert.keyUsage?.includes('keyCertSign')) {
    report(
      'key-cert-sign-without-ca',
      cert,
      `${label(cert)} has key usage keyCertSign but is not a CA (basicConstraints ${cert.hasBasicConstraints ? 'cA=FALSE' : 'absent'})`,
    );
  }
  if (cert.version < 3 && !isAnchor) {
    report(
      'old-version',
      cert,
      `${label(cert)} is an X.509 version ${cert.version} certificate (version 3 is required)`,
    );
  }
  if (ca && !isAnchor && cert.subject.attributes.length === 0) {
    report('empty-ca-subject', cert, 'a CA certificate on the path has an empty subject');
  }
};
