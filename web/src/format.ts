// Dates, durations and names as the page shows them.
const DAY = 86_400_000;

export function date(iso: string | null): string {
  return iso === null ? '—' : iso.slice(0, 10);
}

export function dateTime(iso: string | null): string {
  return iso === null ? '—' : `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

/** "in 12 days", "3 days ago". */
export function relative(iso: string, now = Date.now()): string {
  const days = Math.round((Date.parse(iso) - now) / DAY);
  if (days === 0) return 'today';
  return days > 0
    ? `in ${days} day${days === 1 ? '' : 's'}`
    : `${-days} day${days === -1 ? '' : 's'} ago`;
}

export function daysLeft(iso: string, now = Date.now()): number {
  return Math.floor((Date.parse(iso) - now) / DAY);
}

/** Which band an expiry falls in, for its colour. */
export function expiryClass(iso: string, now = Date.now()): string {
  const days = daysLeft(iso, now);
  if (days < 0) return 'expired';
  if (days < 14) return 'critical';
  if (days < 30) return 'warning';
  return 'ok';
}

export function keyText(c: {
  keyAlgorithm: string;
  keyBits: number | null;
  keyCurve: string | null;
}): string {
  return [c.keyAlgorithm, c.keyCurve ?? c.keyBits ?? ''].join(' ').trim();
}

export function targetName(t: {
  address: string;
  port: number;
  servername: string | null;
  zone: string;
}): string {
  const host = t.address.includes(':') ? `[${t.address}]` : t.address;
  const name = `${host}:${t.port}${t.servername ? ` (${t.servername})` : ''}`;
  return t.zone === 'default' ? name : `${t.zone} / ${name}`;
}

export function short(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function number(n: number): string {
  return n.toLocaleString('en-US');
}
