// The profile rules' cases: for each rule a chain that breaks it and a near miss that does
// not, minted fresh. Used by the rule tests (profile-rules.test.ts) and by the differential
// tests against OpenSSL and pyca/cryptography (profile-differential.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import type { ProblemCode } from '../../src/index.js';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  type Issued,
  type KeyPair,
  type MintOptions,
  type RawExtension,
} from '../helpers/pki.js';
import {
  rewriteTbs,
  sequence,
  TBS,
  tbsField,
  tlv,
  withExplicitCurve,
  withGeneralizedValidity,
  withRawSerial,
  withTbsSignatureAlgorithm,
} from '../helpers/pki-raw.js';

export interface ProfileCase {
  name: string;
  /** The rule the case is about. */
  rule: ProblemCode | 'none';
  /** true: the chain breaks `rule`; false: a near miss that must not raise it. */
  breaks: boolean;
  /** Leaf first, as a server sends it. */
  sent: Issued[];
  trusted: Issued[];
  /** A DNS name or an IP address the leaf is for. */
  hostname: string;
  /** Other codes this chain raises on purpose (e.g. a v1 leaf has no SANs either). */
  companions?: ProblemCode[];
  /** `maxDepth` for the case (default: 10). */
  maxDepth?: number;
}

const SUBJECT_KEY_ID = '2.5.29.14';
const AUTHORITY_KEY_ID = '2.5.29.35';
const BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_KEY_USAGE = '2.5.29.37';
const POLICY_CONSTRAINTS = '2.5.29.36';
const SERVER_AUTH = tlv(0x06, Buffer.from('2b06010505070301', 'hex'));

const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
const ski = (keyId: Uint8Array, critical = false): RawExtension => ({
  oid: SUBJECT_KEY_ID,
  critical,
  der: octets(keyId),
});
/** AuthorityKeyIdentifier: [0] keyIdentifier, optionally [1] issuer and [2] serial. */
const aki = (
  keyId: Uint8Array,
  options: { issuerSerial?: { issuer: Issued; serial: string }; critical?: boolean } = {},
) => {
  const parts = [tlv(0x80, keyId)];
  if (options.issuerSerial) {
    const { issuer, serial } = options.issuerSerial;
    const name = Buffer.from(issuer.name.toSchema().toBER(false));
    // authorityCertIssuer GeneralNames { directoryName [4] Name }, serial [2] INTEGER: the
    // issuing CA certificate's own issuer and serial number.
    parts.push(tlv(0xa1, tlv(0xa4, name)), tlv(0x82, Buffer.from(serial, 'hex')));
  }
  return {
    oid: AUTHORITY_KEY_ID,
    critical: options.critical ?? false,
    der: sequence(...parts),
  } satisfies RawExtension;
};
const caBasicConstraints = (critical: boolean): RawExtension => ({
  oid: BASIC_CONSTRAINTS,
  critical,
  der: sequence(tlv(0x01, Buffer.from([0xff]))),
});
const serverAuthEku = (critical: boolean): RawExtension => ({
  oid: EXT_KEY_USAGE,
  critical,
  der: sequence(SERVER_AUTH),
});
/** policyConstraints { inhibitPolicyMapping [1] 0 }: harmless, so only criticality matters. */
const policyConstraints = (critical: boolean): RawExtension => ({
  oid: POLICY_CONSTRAINTS,
  critical,
  der: sequence(tlv(0x81, Buffer.from([0]))),
});

function rsaKey(bits: number): KeyPair {
  const pair = generateKeyPairSync('rsa', { modulusLength: bits });
  return { spec: 'rsa2048', privateKey: pair.privateKey, publicKey: pair.publicKey };
}

export function buildProfileCases(): ProfileCase[] {
  const root = createRoot({ subject: 'Profile Root' });
  const intermediate = createIntermediate(root, { subject: 'Profile CA' });
  const trusted = [root];
  const cases: ProfileCase[] = [];
  const host = 'www.profile.test';
  /** A leaf under the shared intermediate; `san` and CN default to `hostname`. */
  const leaf = (options: MintOptions = {}, hostname = host) =>
    createLeaf(intermediate, { subject: hostname, san: { dns: [hostname] }, ...options });
  const add = (
    rule: ProfileCase['rule'],
    breaks: boolean,
    name: string,
    sent: Issued[],
    extra: Partial<ProfileCase> = {},
  ) => cases.push({ rule, breaks, name, sent, trusted, hostname: host, ...extra });

  add('none', false, 'a plain chain', [leaf(), intermediate]);

  // Key identifiers.
  add('missing-authority-key-id', true, 'leaf without key identifiers', [
    leaf({ omitKeyIdentifiers: true }),
    intermediate,
  ]);
  add('missing-authority-key-id', false, 'leaf with an authority key identifier only', [
    leaf({ omitKeyIdentifiers: true, extensions: [aki(intermediate.keyId)] }),
    intermediate,
  ]);
  add('authority-key-id-names-issuer', false, 'leaf AKI with a key identifier only', [
    leaf({ omitKeyIdentifiers: true, extensions: [aki(intermediate.keyId)] }),
    intermediate,
  ]);
  add('authority-key-id-names-issuer', true, 'leaf AKI with issuer and serial', [
    leaf({
      omitKeyIdentifiers: true,
      extensions: [
        aki(intermediate.keyId, {
          issuerSerial: { issuer: root, serial: intermediate.x509.serialNumber },
        }),
      ],
    }),
    intermediate,
  ]);
  {
    // A throwaway root gives a key and the key identifier the helper computes for it.
    const { key, keyId } = createRoot();
    const other = Buffer.alloc(20, 7);
    const mismatched = createRoot({
      subject: 'Profile Root With Foreign AKI',
      keyPair: key,
      omitKeyIdentifiers: true,
      extensions: [ski(keyId), aki(other)],
    });
    const under = createIntermediate(mismatched);
    add(
      'root-authority-key-id-mismatch',
      true,
      'root AKI not its own SKI',
      [createLeaf(under, { subject: host, san: { dns: [host] } }), under],
      { trusted: [mismatched] },
    );
  }
  add('root-authority-key-id-mismatch', false, 'root AKI equal to its SKI', [leaf(), intermediate]);
  {
    const noSki = createIntermediate(root, {
      subject: 'Profile CA Without SKI',
      omitKeyIdentifiers: true,
      extensions: [aki(root.keyId)],
    });
    add('missing-subject-key-id', true, 'intermediate without SKI', [
      createLeaf(noSki, { subject: host, san: { dns: [host] } }),
      noSki,
    ]);
  }
  add('missing-subject-key-id', false, 'intermediate with SKI', [leaf(), intermediate]);
  // Like OpenSSL, certsweep does not process a critical key identifier either.
  const unprocessed: ProblemCode[] = ['unknown-critical-extension'];
  add(
    'critical-key-identifier',
    true,
    'leaf SKI critical',
    [
      leaf({
        omitKeyIdentifiers: true,
        extensions: [ski(Buffer.alloc(20, 1), true), aki(intermediate.keyId)],
      }),
      intermediate,
    ],
    { companions: unprocessed },
  );
  add(
    'critical-key-identifier',
    true,
    'leaf AKI critical',
    [
      leaf({
        omitKeyIdentifiers: true,
        extensions: [aki(intermediate.keyId, { critical: true })],
      }),
      intermediate,
    ],
    { companions: unprocessed },
  );
  add('critical-key-identifier', false, 'leaf SKI and AKI not critical', [
    leaf({
      omitKeyIdentifiers: true,
      extensions: [ski(Buffer.alloc(20, 1)), aki(intermediate.keyId)],
    }),
    intermediate,
  ]);

  // Basic constraints.
  for (const critical of [false, true]) {
    const ca = createIntermediate(root, {
      subject: `Profile CA BC ${critical ? 'critical' : 'not critical'}`,
      omitBasicConstraints: true,
      extensions: [caBasicConstraints(critical)],
    });
    add(
      'basic-constraints-not-critical',
      !critical,
      `intermediate basicConstraints ${critical ? '' : 'not '}critical`,
      [createLeaf(ca, { subject: host, san: { dns: [host] } }), ca],
    );
  }
  add('ca-as-leaf', true, 'leaf with cA=TRUE', [
    leaf({ ca: true, keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'] }),
    intermediate,
  ]);
  add('ca-as-leaf', false, 'leaf with cA=FALSE', [leaf({ ca: false }), intermediate]);
  add('key-cert-sign-without-ca', true, 'leaf with keyCertSign', [
    leaf({ keyUsage: ['digitalSignature', 'keyCertSign'] }),
    intermediate,
  ]);
  add('key-cert-sign-without-ca', false, 'leaf with digitalSignature only', [
    leaf({ keyUsage: ['digitalSignature'] }),
    intermediate,
  ]);
  add(
    'old-version',
    true,
    'version 1 leaf',
    [leaf({ version: 1 }), intermediate],
    // A version 1 certificate has no extensions, so no SANs or EKU either.
    { companions: ['missing-subject-alt-name', 'missing-extended-key-usage'] },
  );
  add('old-version', false, 'version 3 leaf', [leaf(), intermediate]);
  {
    const nameless = createIntermediate(root, { subject: {} });
    add('empty-ca-subject', true, 'intermediate with an empty subject', [
      createLeaf(nameless, { subject: host, san: { dns: [host] } }),
      nameless,
    ]);
  }
  add('empty-ca-subject', false, 'intermediate with a subject', [leaf(), intermediate]);

  // Extended key usage.
  add('missing-extended-key-usage', true, 'leaf without EKU', [
    leaf({ extKeyUsage: false }),
    intermediate,
  ]);
  add('missing-extended-key-usage', false, 'leaf with EKU serverAuth', [leaf(), intermediate]);
  add('any-extended-key-usage', true, 'leaf EKU serverAuth and anyExtendedKeyUsage', [
    leaf({ extKeyUsage: ['serverAuth', 'anyExtendedKeyUsage'] }),
    intermediate,
  ]);
  add('any-extended-key-usage', false, 'leaf EKU serverAuth and clientAuth', [
    leaf({ extKeyUsage: ['serverAuth', 'clientAuth'] }),
    intermediate,
  ]);
  add('critical-extended-key-usage', true, 'leaf EKU critical', [
    leaf({ extKeyUsage: false, extensions: [serverAuthEku(true)] }),
    intermediate,
  ]);
  add('critical-extended-key-usage', false, 'leaf EKU not critical (raw)', [
    leaf({ extKeyUsage: false, extensions: [serverAuthEku(false)] }),
    intermediate,
  ]);
  {
    const ekuRoot = createRoot({ subject: 'Profile Root With EKU', extKeyUsage: ['serverAuth'] });
    const under = createIntermediate(ekuRoot);
    add(
      'root-extended-key-usage',
      true,
      'root with EKU serverAuth',
      [createLeaf(under, { subject: host, san: { dns: [host] } }), under],
      { trusted: [ekuRoot] },
    );
  }
  add('root-extended-key-usage', false, 'root without EKU', [leaf(), intermediate]);

  // Subject alternative names.
  add('missing-subject-alt-name', true, 'leaf without SANs (CN only)', [
    leaf({ san: false }),
    intermediate,
  ]);
  add('missing-subject-alt-name', false, 'leaf with a SAN', [leaf(), intermediate]);
  add('subject-alt-name-criticality', true, 'SAN critical, subject not empty', [
    leaf({ sanCritical: true }),
    intermediate,
  ]);
  add('subject-alt-name-criticality', true, 'SAN not critical, subject empty', [
    leaf({ subject: {}, san: { dns: [host] } }),
    intermediate,
  ]);
  add('subject-alt-name-criticality', false, 'SAN critical, subject empty', [
    leaf({ subject: {}, san: { dns: [host] }, sanCritical: true }),
    intermediate,
  ]);
  for (const name of ['under_score.profile.test', 'www..profile.test', 'www.profile.test.']) {
    add('invalid-dns-name', true, `SAN ${JSON.stringify(name)}`, [
      leaf({ san: { dns: [host, name] } }),
      intermediate,
    ]);
  }
  add('invalid-dns-name', false, 'SAN with a hyphen and a wildcard', [
    leaf({ san: { dns: [host, 'a-b.profile.test', '*.profile.test'] } }),
    intermediate,
  ]);
  for (const wildcard of ['*.com', '*.co.uk']) {
    const name = `www.${wildcard.slice(2)}`;
    add(
      'public-suffix-wildcard',
      true,
      `wildcard ${wildcard}`,
      [leaf({ subject: wildcard, san: { dns: [wildcard] } }), intermediate],
      // A wildcard never matches a two-label name, whatever the suffix list says.
      { hostname: name, companions: wildcard === '*.com' ? ['hostname-mismatch'] : [] },
    );
  }
  add(
    'public-suffix-wildcard',
    false,
    'wildcard *.example.co.uk',
    [leaf({ subject: '*.example.co.uk', san: { dns: ['*.example.co.uk'] } }), intermediate],
    { hostname: 'www.example.co.uk' },
  );
  add(
    'public-suffix-wildcard',
    false,
    'wildcard *.github.io (a private suffix, which browsers allow)',
    [leaf({ subject: '*.github.io', san: { dns: ['*.github.io'] } }), intermediate],
    { hostname: 'www.github.io' },
  );
  add('common-name-not-in-san', true, 'CN not among the SANs', [
    leaf({ subject: 'other.profile.test', san: { dns: [host] } }),
    intermediate,
  ]);
  add('common-name-not-in-san', false, 'CN among the SANs in another case', [
    leaf({ subject: 'WWW.Profile.test', san: { dns: [host] } }),
    intermediate,
  ]);
  for (const [cn, address] of [
    ['127.000.000.001', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
  ] as const) {
    add(
      'non-canonical-ip-common-name',
      true,
      `IP CN ${cn}`,
      [leaf({ subject: cn, san: { ip: [address] } }), intermediate],
      { hostname: address },
    );
  }
  for (const address of ['127.0.0.1', '2001:db8::1']) {
    add(
      'non-canonical-ip-common-name',
      false,
      `IP CN ${address}`,
      [leaf({ subject: address, san: { ip: [address] } }), intermediate],
      { hostname: address },
    );
  }

  // Serial numbers.
  add('zero-serial-number', true, 'serial 0', [leaf({ serial: 0n }), intermediate]);
  add('zero-serial-number', false, 'serial 1', [leaf({ serial: 1n }), intermediate]);
  add('negative-serial-number', true, 'serial -255', [
    withRawSerial(leaf(), intermediate, 'ff01'),
    intermediate,
  ]);
  add('negative-serial-number', false, 'serial 0x7f01', [
    withRawSerial(leaf(), intermediate, '7f01'),
    intermediate,
  ]);
  add('long-serial-number', true, 'serial of 21 octets', [
    leaf({ serial: 1n << 160n }),
    intermediate,
  ]);
  add('long-serial-number', false, 'serial of 20 octets with a sign octet', [
    leaf({ serial: (1n << 160n) - 1n }),
    intermediate,
  ]);

  // Keys and signatures.
  add('explicit-curve-parameters', true, 'leaf key with explicit curve parameters', [
    withExplicitCurve(leaf(), intermediate),
    intermediate,
  ]);
  add('explicit-curve-parameters', false, 'leaf key on a named curve (re-signed)', [
    rewriteTbs(leaf(), intermediate, {}),
    intermediate,
  ]);
  add('rsa-modulus-size', true, 'leaf RSA modulus of 2052 bits', [
    leaf({ keyPair: rsaKey(2052) }),
    intermediate,
  ]);
  add('rsa-modulus-size', false, 'leaf RSA modulus of 2048 bits', [
    leaf({ keyPair: rsaKey(2048) }),
    intermediate,
  ]);
  add('signature-algorithm-mismatch', true, 'TBS says SHA-384, outside says SHA-256', [
    withTbsSignatureAlgorithm(leaf(), intermediate),
    intermediate,
  ]);
  {
    const same = leaf();
    add('signature-algorithm-mismatch', false, 'TBS and outside agree (re-signed)', [
      rewriteTbs(same, intermediate, { [TBS.signature]: tbsField(same, TBS.signature) }),
      intermediate,
    ]);
  }
  for (const critical of [false, true]) {
    const ca = createIntermediate(root, {
      subject: `Profile CA policyConstraints ${critical ? 'critical' : 'not critical'}`,
      extensions: [policyConstraints(critical)],
    });
    add(
      'policy-constraints-not-critical',
      !critical,
      `intermediate policyConstraints ${critical ? '' : 'not '}critical`,
      [createLeaf(ca, { subject: host, san: { dns: [host] } }), ca],
    );
  }

  // Where certsweep used to be too strict: these must verify.
  add('none', false, 'notAfter with fractional seconds', [
    withGeneralizedValidity(leaf(), intermediate, '20250101000000Z', '20500101000000.5Z'),
    intermediate,
  ]);
  {
    const capped = createIntermediate(root, { subject: 'Profile CA pathLen 0', pathLength: 0 });
    add(
      'none',
      false,
      'CA certificate (pathLen 0, no keyCertSign) as the leaf under pathLen 0',
      [
        createLeaf(capped, {
          subject: host,
          san: { dns: [host] },
          ca: true,
          pathLength: 0,
          keyUsage: ['digitalSignature'],
        }),
        capped,
      ],
      { companions: ['ca-as-leaf'] },
    );
  }
  {
    const first = createIntermediate(root, { subject: 'Profile Rollover CA' });
    const second = createIntermediate(first, { subject: 'Profile Rollover CA' });
    const third = createIntermediate(second, { subject: 'Profile Rollover CA' });
    add(
      'none',
      false,
      'two self-issued intermediates within maxDepth 3',
      [createLeaf(third, { subject: host, san: { dns: [host] } }), third, second, first],
      { maxDepth: 3 },
    );
  }
  return cases;
}
