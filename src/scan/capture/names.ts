// IANA names of what a ServerHello can pick, spelled as Node reports them.

/** TLS versions by wire value. */
export const VERSION_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0304, 'TLSv1.3'],
  [0x0303, 'TLSv1.2'],
  [0x0302, 'TLSv1.1'],
  [0x0301, 'TLSv1'],
  [0x0300, 'SSLv3'],
]);

/** A TLS 1.3 suite: [IANA name, AEAD, key length, hash]. */
export type Tls13Suite = readonly [string, string, number, 'sha256' | 'sha384'];

/** TLS 1.3 suites we can decrypt, in the client's order of preference. */
export const TLS13_SUITES: ReadonlyMap<number, Tls13Suite> = new Map([
  [0x1301, ['TLS_AES_128_GCM_SHA256', 'aes-128-gcm', 16, 'sha256']],
  [0x1302, ['TLS_AES_256_GCM_SHA384', 'aes-256-gcm', 32, 'sha384']],
  [0x1303, ['TLS_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', 32, 'sha256']],
]);

/**
 * TLS 1.2 and older suites offered, in the client's order of preference: code → [IANA name,
 * OpenSSL name]. Their certificates travel in clear before any key is agreed, so offering a
 * suite costs nothing even if we could not finish a handshake with it.
 */
export const LEGACY_SUITES: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0xc02b, ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256']],
  [0xc02f, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']],
  [0xc02c, ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384']],
  [0xc030, ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384']],
  [0xcca9, ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305']],
  [0xcca8, ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305']],
  [0x009e, ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE-RSA-AES128-GCM-SHA256']],
  [0x009f, ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384']],
  [0xc023, ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256']],
  [0xc027, ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256']],
  [0xc024, ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384']],
  [0xc028, ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384']],
  [0xc009, ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA']],
  [0xc013, ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA']],
  [0xc00a, ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA']],
  [0xc014, ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA']],
  [0x009c, ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256']],
  [0x009d, ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384']],
  [0x003c, ['TLS_RSA_WITH_AES_128_CBC_SHA256', 'AES128-SHA256']],
  [0x003d, ['TLS_RSA_WITH_AES_256_CBC_SHA256', 'AES256-SHA256']],
  [0x0067, ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'DHE-RSA-AES128-SHA256']],
  [0x006b, ['TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'DHE-RSA-AES256-SHA256']],
  [0x0033, ['TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'DHE-RSA-AES128-SHA']],
  [0x0039, ['TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'DHE-RSA-AES256-SHA']],
  [0x002f, ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA']],
  [0x0035, ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA']],
  [0x000a, ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA']],
]);

/** Suites offered only with `legacy: true`: broken ciphers old appliances still insist on. */
export const BROKEN_SUITES: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0x0005, ['TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA']],
  [0x0004, ['TLS_RSA_WITH_RC4_128_MD5', 'RC4-MD5']],
  [0x0009, ['TLS_RSA_WITH_DES_CBC_SHA', 'DES-CBC-SHA']],
]);

/** The suite codes a scan offers, in order of preference. */
export function offeredSuites(legacy: boolean): number[] {
  return [...TLS13_SUITES.keys(), ...LEGACY_SUITES.keys(), ...(legacy ? BROKEN_SUITES.keys() : [])];
}

/**
 * The same suites, in the same order, as an OpenSSL cipher string for the complete
 * handshake: both handshakes offer one list, so a server picks the same suite in either.
 * Suites this OpenSSL lacks are skipped by OpenSSL itself.
 */
export function offeredCipherString(legacy: boolean): string {
  const names = [
    ...[...TLS13_SUITES.values()].map(([name]) => name),
    ...[...LEGACY_SUITES.values()].map(([, openssl]) => openssl),
    ...(legacy ? [...BROKEN_SUITES.values()].map(([, openssl]) => openssl) : []),
  ];
  return legacy ? `${names.join(':')}:@SECLEVEL=0` : names.join(':');
}

/** Alert descriptions (RFC 8446 section 6), as OpenSSL words them. */
export const ALERT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'close notify'],
  [10, 'unexpected message'],
  [20, 'bad record mac'],
  [22, 'record overflow'],
  [40, 'handshake failure'],
  [42, 'bad certificate'],
  [43, 'unsupported certificate'],
  [44, 'certificate revoked'],
  [45, 'certificate expired'],
  [46, 'certificate unknown'],
  [47, 'illegal parameter'],
  [48, 'unknown ca'],
  [49, 'access denied'],
  [50, 'decode error'],
  [51, 'decrypt error'],
  [70, 'protocol version'],
  [71, 'insufficient security'],
  [80, 'internal error'],
  [86, 'inappropriate fallback'],
  [90, 'user canceled'],
  [109, 'missing extension'],
  [110, 'unsupported extension'],
  [112, 'unrecognized name'],
  [116, 'certificate required'],
  [120, 'no application protocol'],
]);
