// Name-constraint cases shared by the unit test and the differential test against OpenSSL and
// pyca/cryptography: each rule with a chain that must fail and a near miss that must pass.
// `hostname` is a name of the leaf outside any constraint of interest, so all three verifiers
// have one to check.
import type { ProblemCode, Profile } from '../../src/index.js';
import {
  createIntermediate,
  createLeaf,
  createRoot,
  type Issued,
  type MintOptions,
  type SanSpec,
} from '../helpers/pki.js';
import {
  type GeneralNameSpec,
  type NameConstraintsSpec,
  nameConstraintsExtension,
  subjectAltNameExtension,
} from '../helpers/pki-names.js';

export interface NameConstraintCase {
  name: string;
  /** Leaf first, then the intermediates as sent. */
  sent: Issued[];
  trusted: Issued[];
  hostname: string;
  /** The error codes certsweep reports, sorted; `[]` for a valid chain. */
  errors: ProblemCode[];
  /** Where OpenSSL 3.0 decides the other way, why (listed in docs/verification.md). */
  openssl?: string;
  /** Where pyca/cryptography 48 decides the other way, why (listed in docs/verification.md). */
  pyca?: string;
  /** The profile the case is judged under; default `webpki`. */
  profile?: Profile;
}

const URI_UNSUPPORTED = 'pyca does not evaluate URI constraints and rejects every chain under them';
const DIRECTORY_IGNORED = 'pyca does not evaluate directoryName constraints and accepts the chain';

export function buildNameConstraintCases(): NameConstraintCase[] {
  const root = createRoot({ subject: 'NC Test Root' });
  const cases: NameConstraintCase[] = [];
  const constrained = (spec: NameConstraintsSpec, options: MintOptions = {}) =>
    createIntermediate(root, { ...options, extensions: [nameConstraintsExtension(spec)] });
  const leaf = (issuer: Issued, san: SanSpec, options: MintOptions = {}) =>
    createLeaf(issuer, { subject: 'Constrained leaf', san, ...options });
  const add = (
    name: string,
    intermediate: Issued,
    end: Issued,
    hostname: string,
    errors: ProblemCode[],
    differences: { openssl?: string; pyca?: string; profile?: Profile } = {},
  ) =>
    cases.push({
      name,
      sent: [end, intermediate],
      trusted: [root],
      hostname,
      errors,
      ...differences,
    });

  // The wildcard bypass (CVE-2025-61727): a wildcard stands for every name it can match.
  const excludesBar = constrained({ excluded: [{ dns: 'bar.example.com' }] });
  add(
    'wildcard SAN *.example.com under an excluded bar.example.com is rejected',
    excludesBar,
    leaf(excludesBar, { dns: ['*.example.com'] }),
    'bar.example.com',
    ['name-constraints'],
    { openssl: 'OpenSSL compares the wildcard as a plain string, so the exclusion does not apply' },
  );
  const excludesDeeper = constrained({ excluded: [{ dns: 'a.bar.example.com' }] });
  add(
    'near miss: *.example.com under an excluded a.bar.example.com is accepted',
    excludesDeeper,
    leaf(excludesDeeper, { dns: ['*.example.com'] }),
    'foo.example.com',
    [],
  );
  const excludesDomain = constrained({ excluded: [{ dns: 'example.com' }] });
  add(
    'wildcard SAN under an excluded parent domain is rejected',
    excludesDomain,
    leaf(excludesDomain, { dns: ['*.example.com'] }),
    'foo.example.com',
    ['name-constraints'],
  );
  // Go's first fix for the bypass rejected every wildcard under a single-label exclusion.
  const excludesLabel = constrained({ excluded: [{ dns: 'internal' }] });
  add(
    'near miss: a single-label excluded subtree does not exclude an unrelated wildcard',
    excludesLabel,
    leaf(excludesLabel, { dns: ['*.example.com'] }),
    'foo.example.com',
    [],
  );
  add(
    'wildcard SAN under an excluded single-label parent is rejected',
    excludesLabel,
    leaf(excludesLabel, { dns: ['*.corp.internal'] }),
    'foo.corp.internal',
    ['name-constraints'],
  );
  const permitsBar = constrained({ permitted: [{ dns: 'bar.example.com' }] });
  add(
    'wildcard SAN wider than the one permitted name is rejected',
    permitsBar,
    leaf(permitsBar, { dns: ['*.example.com'] }),
    'bar.example.com',
    ['name-constraints'],
    { pyca: 'pyca accepts a wildcard of which only one name is permitted' },
  );
  const permitsDomain = constrained({ permitted: [{ dns: 'example.com' }] });
  add(
    'near miss: wildcard SAN inside a permitted domain is accepted',
    permitsDomain,
    leaf(permitsDomain, { dns: ['*.example.com'] }),
    'foo.example.com',
    [],
  );
  add(
    'DNS: a name that only ends in the permitted text (myexample.com) is rejected',
    permitsDomain,
    leaf(permitsDomain, { dns: ['myexample.com'] }),
    'myexample.com',
    ['name-constraints'],
  );
  add(
    'near miss: a subdomain of the permitted domain is accepted',
    permitsDomain,
    leaf(permitsDomain, { dns: ['www.example.com'] }),
    'www.example.com',
    [],
  );

  // iPAddress: CIDRs, each family on its own.
  const permitsTen = constrained({ permitted: [{ ip: '10.0.0.0/8' }] });
  add(
    'IP outside the permitted IPv4 range is rejected',
    permitsTen,
    leaf(permitsTen, { ip: ['11.0.0.1'] }),
    '11.0.0.1',
    ['name-constraints'],
  );
  add(
    'near miss: IP inside the permitted IPv4 range is accepted',
    permitsTen,
    leaf(permitsTen, { ip: ['10.1.2.3'] }),
    '10.1.2.3',
    [],
  );
  const excludesV6 = constrained({ excluded: [{ ip: '2001:db8::/32' }] });
  add(
    'IPv6 inside an excluded IPv6 range is rejected',
    excludesV6,
    leaf(excludesV6, { ip: ['2001:db8::1'] }),
    '2001:db8::1',
    ['name-constraints'],
  );
  add(
    'near miss: an IPv4 address is not excluded by an IPv6 range',
    excludesV6,
    leaf(excludesV6, { ip: ['10.1.2.3'] }),
    '10.1.2.3',
    [],
  );
  const permitsV6 = constrained({ permitted: [{ ip: '2001:db8::/32' }] });
  add(
    'an IPv4 address under a CA permitted only an IPv6 range is in no permitted subtree',
    permitsV6,
    leaf(permitsV6, { ip: ['10.1.2.3'] }),
    '10.1.2.3',
    ['name-constraints'],
  );

  // rfc822Name: mailbox, host and domain forms. The leaf's DNS name is unconstrained.
  const mail = (spec: string, email: string, errors: ProblemCode[], name: string) => {
    const ca = constrained({ permitted: [{ email: spec }] });
    add(name, ca, leaf(ca, { dns: ['mail.test'], email: [email] }), 'mail.test', errors);
  };
  mail(
    'ops@example.com',
    'dev@example.com',
    ['name-constraints'],
    'email: another mailbox than the permitted one is rejected',
  );
  mail(
    'ops@example.com',
    'ops@example.com',
    [],
    'near miss: email: the permitted mailbox is accepted',
  );
  mail(
    'example.com',
    'a@mail.example.com',
    ['name-constraints'],
    'email: host form does not cover subdomains',
  );
  mail(
    'example.com',
    'a@example.com',
    [],
    'near miss: email: host form covers mailboxes on the host',
  );
  mail(
    '.example.com',
    'a@example.com',
    ['name-constraints'],
    'email: domain form does not cover the domain itself',
  );
  mail(
    '.example.com',
    'a@mail.example.com',
    [],
    'near miss: email: domain form covers hosts below it',
  );
  const mailCa = constrained({ permitted: [{ email: 'example.com' }] });
  add(
    'email: an emailAddress in the subject is checked too',
    mailCa,
    leaf(mailCa, { dns: ['mail.test'] }, { subject: { CN: 'Constrained leaf', E: 'a@evil.test' } }),
    'mail.test',
    ['name-constraints'],
    { pyca: 'pyca checks only subjectAltName entries' },
  );

  // URI: the host part against host and domain forms.
  const uriCa = constrained({ permitted: [{ uri: 'www.example.com' }] });
  add(
    'URI on another host than the permitted one is rejected',
    uriCa,
    leaf(uriCa, { dns: ['uri.test'], uri: ['https://api.example.com/x'] }),
    'uri.test',
    ['name-constraints'],
  );
  add(
    'near miss: URI on the permitted host is accepted',
    uriCa,
    leaf(uriCa, { dns: ['uri.test'], uri: ['https://www.example.com/x'] }),
    'uri.test',
    [],
    { pyca: URI_UNSUPPORTED },
  );
  const uriDomain = constrained({ permitted: [{ uri: '.example.com' }] });
  add(
    'near miss: URI on a host below a permitted .domain is accepted',
    uriDomain,
    leaf(uriDomain, { dns: ['uri.test'], uri: ['https://api.example.com/'] }),
    'uri.test',
    [],
    { pyca: URI_UNSUPPORTED },
  );
  add(
    'URI without a host name cannot be checked: rejected',
    uriDomain,
    leaf(uriDomain, { dns: ['uri.test'], uri: ['urn:example:1'] }),
    'uri.test',
    ['name-constraints'],
  );

  // directoryName: an RDN prefix, compared without case and with whitespace folded.
  const dirCa = constrained({
    permitted: [
      {
        dir: [
          ['C', 'DE'],
          ['O', 'Example'],
        ],
      },
    ],
  });
  const dirLeaf = (O: string) =>
    leaf(dirCa, { dns: ['dir.test'] }, { subject: { C: 'DE', O, CN: 'dir.test' } });
  add(
    'directoryName: a subject under another organisation is rejected',
    dirCa,
    dirLeaf('Other'),
    'dir.test',
    ['name-constraints'],
    { pyca: DIRECTORY_IGNORED },
  );
  add(
    'near miss: directoryName: the same organisation in other case and spacing is accepted',
    dirCa,
    dirLeaf('  EXAMPLE '),
    'dir.test',
    [],
  );
  const dirExcluded = constrained({
    excluded: [
      {
        dir: [
          ['C', 'DE'],
          ['O', 'Evil'],
        ],
      },
    ],
  });
  add(
    'directoryName: a subject in an excluded subtree is rejected',
    dirExcluded,
    leaf(dirExcluded, { dns: ['dir.test'] }, { subject: { C: 'DE', O: 'Evil', CN: 'dir.test' } }),
    'dir.test',
    ['name-constraints'],
    { pyca: DIRECTORY_IGNORED },
  );

  add(
    'near miss: directoryName: a subject beside the excluded subtree is accepted',
    dirExcluded,
    leaf(
      dirExcluded,
      { dns: ['dir.test'] },
      { subject: { C: 'DE', O: 'Evil Twin', CN: 'dir.test' } },
    ),
    'dir.test',
    [],
  );

  // Forms certsweep cannot evaluate fail closed.
  const otherCritical = constrained({ permitted: [{ otherName: '1.3.6.1.4.1.311.20.2.3' }] });
  add(
    'a critical otherName constraint fails closed',
    otherCritical,
    leaf(otherCritical, { dns: ['other.test'] }),
    'other.test',
    ['name-constraints'],
    {
      openssl: 'OpenSSL ignores otherName constraints when the leaf has no otherName',
      pyca: 'pyca ignores otherName constraints when the leaf has no otherName',
    },
  );
  const otherLax = constrained({
    permitted: [{ otherName: '1.3.6.1.4.1.311.20.2.3' }],
    critical: false,
  });
  const withOther = (issuer: Issued, names: GeneralNameSpec[]) =>
    createLeaf(issuer, {
      subject: 'Constrained leaf',
      san: false,
      extensions: [subjectAltNameExtension(names)],
    });
  add(
    'a non-critical otherName constraint: a leaf with an otherName is rejected',
    otherLax,
    withOther(otherLax, [{ dns: 'other.test' }, { otherName: '1.3.6.1.4.1.311.20.2.3' }]),
    'other.test',
    ['name-constraints'],
  );

  // Malformed constraints.
  const leading = constrained({ permitted: [{ dns: '.example.com' }] });
  add(
    'a dNSName constraint with a leading period is malformed',
    leading,
    leaf(leading, { dns: ['www.example.com'] }),
    'www.example.com',
    ['malformed-name-constraints'],
    { openssl: 'OpenSSL reads .example.com as "subdomains only"' },
  );
  const empty = constrained({});
  add(
    'name constraints with neither side are malformed',
    empty,
    leaf(empty, { dns: ['www.example.com'] }),
    'www.example.com',
    ['malformed-name-constraints'],
    { openssl: 'OpenSSL accepts an empty NameConstraints' },
  );
  const emptySide = constrained({ permitted: [], excluded: [{ dns: 'evil.test' }] });
  add(
    'an empty permittedSubtrees is malformed',
    emptySide,
    leaf(emptySide, { dns: ['www.example.com'] }),
    'www.example.com',
    ['malformed-name-constraints'],
    {
      openssl: 'OpenSSL accepts an empty permittedSubtrees',
      pyca: 'pyca accepts an empty permittedSubtrees next to a non-empty excludedSubtrees',
    },
  );
  const lax = constrained({ permitted: [{ dns: 'example.com' }], critical: false });
  // Real intermediates carry them (Virginia Tech's under GlobalSign); every client enforces
  // them, so certsweep does too and only warns (name-constraints-not-critical).
  add(
    'non-critical name constraints are enforced, with a warning',
    lax,
    leaf(lax, { dns: ['www.example.com'] }),
    'www.example.com',
    [],
  );
  add(
    'non-critical name constraints still refuse a name outside them',
    lax,
    leaf(lax, { dns: ['www.example.org'] }),
    'www.example.org',
    ['name-constraints'],
  );
  const bounded = constrained({ permitted: [{ dns: 'example.com', maximum: 2 }] });
  add(
    'a subtree with a maximum is malformed',
    bounded,
    leaf(bounded, { dns: ['www.example.com'] }),
    'www.example.com',
    ['malformed-name-constraints'],
    { pyca: 'pyca ignores minimum and maximum' },
  );
  const badMask = constrained({ permitted: [{ ip: '10.0.0.0/m:ff00ff00' }] });
  add(
    'an IP constraint whose mask is not a prefix is malformed',
    badMask,
    leaf(badMask, { dns: ['www.example.com'], ip: ['10.0.0.1'] }),
    'www.example.com',
    ['malformed-name-constraints'],
    { openssl: 'OpenSSL compares with the mask as given' },
  );
  const plain = createIntermediate(root);
  const constrainedLeaf = createLeaf(plain, {
    subject: 'Constrained leaf',
    san: { dns: ['www.example.com'] },
    extensions: [nameConstraintsExtension({ permitted: [{ dns: 'example.com' }] })],
  });
  add(
    'name constraints in an end-entity certificate are malformed',
    plain,
    constrainedLeaf,
    'www.example.com',
    ['malformed-name-constraints'],
    { openssl: 'OpenSSL ignores name constraints in a leaf' },
  );

  // The subject CN of a leaf without SANs is a DNS name. A leaf without SANs is itself an
  // error under webpki (`missing-subject-alt-name`), so these are judged under rfc5280.
  const permitsTest = constrained({ permitted: [{ dns: 'example.test' }] });
  add(
    'a CN outside the permitted domain, on a leaf without SANs, is rejected',
    permitsTest,
    createLeaf(permitsTest, { subject: 'www.evil.test', san: false }),
    'www.evil.test',
    ['name-constraints'],
    { profile: 'rfc5280' },
  );
  add(
    'near miss: a CN inside the permitted domain, on a leaf without SANs, is accepted',
    permitsTest,
    createLeaf(permitsTest, { subject: 'www.example.test', san: false }),
    'www.example.test',
    [],
    { pyca: 'pyca requires a subjectAltName and rejects the chain', profile: 'rfc5280' },
  );
  return cases;
}
