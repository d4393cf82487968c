// An independent, deliberately naive model of target expansion for property tests: it
// materialises every address with ipaddr.js and plain sets, sharing no code with src/.
import ipaddr from 'ipaddr.js';

export interface SmallSpec {
  hosts: string[];
  ports: number[];
  exclude: string[];
  sni: Record<string, string[]>;
}

function addresses(token: string): string[] {
  let first: number[];
  let last: number[];
  if (token.includes('/')) {
    const v4 = !token.includes(':');
    first = (v4 ? ipaddr.IPv4 : ipaddr.IPv6).networkAddressFromCIDR(token).toByteArray();
    last = (v4 ? ipaddr.IPv4 : ipaddr.IPv6).broadcastAddressFromCIDR(token).toByteArray();
  } else if (token.includes('-')) {
    const [a, b] = token.split('-') as [string, string];
    first = ipaddr.parse(a).toByteArray();
    last = ipaddr.parse(b).toByteArray();
  } else {
    first = ipaddr.parse(token).toByteArray();
    last = first;
  }
  const toBig = (bytes: number[]) => bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const out: string[] = [];
  for (let v = toBig(first); v <= toBig(last); v++) {
    const bytes: number[] = [];
    let rest = v;
    for (let i = 0; i < first.length; i++) {
      bytes.unshift(Number(rest & 255n));
      rest >>= 8n;
    }
    const ip = ipaddr.fromByteArray(bytes);
    out.push(ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString());
  }
  return out;
}

function isAddressToken(token: string): boolean {
  return token.includes(':') || /^\d+\.\d+\.\d+\.\d+/.test(token);
}

/** Every target of a small spec as "host port servername" strings. */
export function naiveTargets(spec: SmallSpec, sniOutsideHosts = false): Set<string> {
  const hostAddrs = new Set(spec.hosts.filter(isAddressToken).flatMap(addresses));
  const hostNames = new Set(
    spec.hosts.filter((t) => !isAddressToken(t)).map((t) => t.toLowerCase()),
  );
  const exAddrs = new Set(spec.exclude.filter(isAddressToken).flatMap(addresses));
  const exNames = new Set(
    spec.exclude.filter((t) => !isAddressToken(t)).map((t) => t.toLowerCase()),
  );
  const out = new Set<string>();
  for (const port of spec.ports) {
    for (const a of hostAddrs) if (!exAddrs.has(a)) out.add(`${a} ${port} -`);
    for (const n of hostNames) if (!exNames.has(n)) out.add(`${n} ${port} ${n}`);
    for (const [key, names] of Object.entries(spec.sni)) {
      const a = addresses(key)[0] as string;
      if ((!sniOutsideHosts && !hostAddrs.has(a)) || exAddrs.has(a)) continue;
      for (const n of names)
        if (!exNames.has(n.toLowerCase())) out.add(`${a} ${port} ${n.toLowerCase()}`);
    }
  }
  return out;
}

/** A target as the oracle's string key. */
export function key(t: { host: string; port: number; servername?: string }): string {
  return `${t.host} ${t.port} ${t.servername ?? '-'}`;
}
