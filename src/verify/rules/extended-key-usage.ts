import { EXTENDED_KEY_USAGE } from '../../x509/index.js';
import { extensionOf, label, type Rule } from './context.js';

const EXT_KEY_USAGE = '2.5.29.37';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * CA/Browser Forum 7.1.2: a server certificate names its purposes (serverAuth), never
 * anyExtendedKeyUsage, in a non-critical extension; a root names none.
 */
export const extendedKeyUsage: Rule = ({ cert, index, isRoot, report }) => {
  const eku = cert.extendedKeyUsage;
  if (index === 0) {
    if (!extensionOf(cert, EXT_KEY_USAGE)) {
      report(
        'missing-extended-key-usage',
        cert,
        `${label(cert)} has no extended key usage (serverAuth should be listed)`,
      );
    }
    if (eku?.includes(ANY_EXTENDED_KEY_USAGE)) {
      report(
        'any-extended-key-usage',
        cert,
        `${label(cert)} lists anyExtendedKeyUsage, which server certificates may not`,
      );
    }
    if (extensionOf(cert, EXT_KEY_USAGE)?.critical) {
      report(
        'critical-extended-key-usage',
        cert,
        `${label(cert)} marks its extended key usage critical`,
      );
    }
  }
  if (isRoot && index > 0 && eku !== undefined) {
    report(
      'root-extended-key-usage',
      cert,
      `root ${label(cert)} carries an extended key usage (${eku.includes(EXTENDED_KEY_USAGE.serverAuth) ? 'serverAuth among others' : 'without serverAuth'}), which roots should not`,
    );
  }
};
