import { label, type Rule } from './context.js';

/**
 * RFC 5280 4.1.2.2: a serial number is a positive integer of at most 20 octets. Trust anchors
 * are exempt (some long-trusted roots have serial 0, and an anchor is a name and a key).
 */
export const serialNumber: Rule = ({ cert, isAnchor, report }) => {
  if (isAnchor) return;
  const hex = cert.serialNumber;
  const first = Number.parseInt(hex.slice(0, 2), 16);
  if (first >= 0x80) {
    report('negative-serial-number', cert, `${label(cert)} has a negative serial number`);
    return;
  }
  if (/^0*$/.test(hex)) {
    report('zero-serial-number', cert, `${label(cert)} has serial number 0`);
    return;
  }
  // A leading zero octet that only keeps the number positive does not count.
  const octets = hex.length / 2 - (first === 0 ? 1 : 0);
  if (octets > 20) {
    report(
      'long-serial-number',
      cert,
      `${label(cert)} has a serial number of ${octets} octets (at most 20 are allowed)`,
    );
  }
};
