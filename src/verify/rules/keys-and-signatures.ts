import { extensionOf, label, type Rule } from './context.js';

const POLICY_CONSTRAINTS = '2.5.29.36';

/**
 * RFC 5480 2.1.1 and the CA/Browser Forum 6.1.5: EC keys on named curves only, RSA moduli a
 * whole number of octets; RFC 5280 4.1.1.2: the signed algorithm is the outer one;
 * RFC 5280 4.2.1.11: policyConstraints is critical. A trust anchor's own signature and
 * encoding are not relied on, so only its key is judged.
 */
export const keysAndSignatures: Rule = ({ cert, isAnchor, report }) => {
  const { algorithm, bits, curve } = cert.publicKey;
  if (algorithm === 'ec' && curve === undefined) {
    report(
      'explicit-curve-parameters',
      cert,
      `${label(cert)} has an EC key with explicit curve parameters instead of a named curve`,
    );
  }
  if ((algorithm === 'rsa' || algorithm === 'rsa-pss') && bits !== undefined && bits % 8 !== 0) {
    report(
      'rsa-modulus-size',
      cert,
      `${label(cert)} has an RSA modulus of ${bits} bits, not a whole number of octets`,
    );
  }
  if (isAnchor) return;
  if (!cert.signatureAlgorithmsMatch) {
    report(
      'signature-algorithm-mismatch',
      cert,
      `${label(cert)} names one signature algorithm in its signed part and another outside it`,
    );
  }
  const policy = extensionOf(cert, POLICY_CONSTRAINTS);
  if (policy && !policy.critical) {
    report(
      'policy-constraints-not-critical',
      cert,
      `${label(cert)} does not mark policyConstraints critical`,
    );
  }
};
