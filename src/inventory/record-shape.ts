// The shape of each kind of record as JSON, checked where records come from outside (an
// import), so a hand-edited or truncated line is refused with what is wrong instead of
// breaking an index later.
import { isRecordKind } from './codec.js';
import { targetKey } from './keys.js';
import type { RecordKind } from './types.js';

type Field =
  | 'string'
  | 'string?'
  | 'number'
  | 'number?'
  | 'boolean'
  | 'boolean?'
  | 'strings'
  | 'base64'
  | 'verdicts'
  | 'nameCheck?'
  | 'revocation?'
  | 'sightingKind'
  | 'revocationStatus'
  | 'runStatus';

interface Shape {
  /** The field whose value is the record's key. */
  readonly identity: string;
  readonly fields: Readonly<Record<string, Field>>;
}

const VERDICT: Shape['fields'] = {
  valid: 'boolean',
  trusted: 'boolean',
  problems: 'strings',
  expiresAt: 'number?',
  trustStore: 'string',
  anchor: 'string?',
  verifiedAt: 'number',
};

const NAME_CHECK: Shape['fields'] = { hostname: 'string', matched: 'boolean' };

const REVOCATION: Shape['fields'] = {
  status: 'revocationStatus',
  source: 'string?',
  checkedAt: 'number',
  revokedAt: 'number?',
  reason: 'string?',
  thisUpdate: 'number?',
  nextUpdate: 'number?',
  problem: 'string?',
};

// Fields added after the first release: records written before lack them, and read as null.
const ADDED_LATER = new Set(['revocation', 'ocspStapled', 'scanner']);

const SHAPES: Readonly<Record<RecordKind, Shape>> = {
  certificate: {
    identity: 'fingerprint',
    fields: {
      fingerprint: 'string',
      der: 'base64',
      subject: 'string',
      subjectCommonName: 'string?',
      issuer: 'string',
      issuerCommonName: 'string?',
      serialNumber: 'string',
      dnsNames: 'strings',
      ipAddresses: 'strings',
      notBefore: 'number',
      notAfter: 'number',
      keyAlgorithm: 'string',
      keyBits: 'number?',
      keyCurve: 'string?',
      signatureAlgorithm: 'string',
      isCA: 'boolean',
      selfIssued: 'boolean',
      trustAnchor: 'boolean',
      parseError: 'string?',
      firstSeen: 'number',
      lastSeen: 'number',
      revocation: 'revocation?',
    },
  },
  chain: {
    identity: 'id',
    fields: {
      id: 'string',
      fingerprints: 'strings',
      verdicts: 'verdicts',
      firstSeen: 'number',
      lastSeen: 'number',
    },
  },
  target: {
    identity: 'key',
    fields: {
      key: 'string',
      zone: 'string',
      address: 'string',
      port: 'number',
      servername: 'string?',
      host: 'string',
      job: 'string?',
      chain: 'string?',
      firstSeen: 'number',
      lastScanned: 'number',
      lastSuccess: 'number?',
      lastError: 'string?',
      consecutiveFailures: 'number',
      trustStore: 'string?',
      nameCheck: 'nameCheck?',
      protocol: 'string?',
      cipher: 'string?',
      alpn: 'string?',
      starttls: 'string?',
      ocspStapled: 'boolean?',
    },
  },
  sighting: {
    identity: 'id',
    fields: {
      id: 'string',
      at: 'number',
      kind: 'sightingKind',
      target: 'string',
      zone: 'string',
      address: 'string',
      port: 'number',
      servername: 'string?',
      chain: 'string?',
      previousChain: 'string?',
      error: 'string?',
      job: 'string?',
      scanner: 'string?',
    },
  },
  run: {
    identity: 'id',
    fields: {
      id: 'string',
      job: 'string',
      zone: 'string',
      mode: 'string',
      startedAt: 'number',
      endedAt: 'number?',
      status: 'runStatus',
      total: 'number?',
      done: 'number',
      succeeded: 'number',
      failed: 'number',
      scanner: 'string?',
    },
  },
};

const SIGHTING_KINDS: readonly unknown[] = ['new', 'changed', 'recovered', 'dark'];
const RUN_STATUSES: readonly unknown[] = ['running', 'completed', 'failed', 'aborted'];
const REVOCATION_STATUSES: readonly unknown[] = ['good', 'revoked', 'unknown', 'unavailable'];
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * What is wrong with a parsed record line (`{ kind, key, value }` as JSON gives it), or
 * `undefined` when it is a well-formed record.
 */
export function recordProblem(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return 'not a JSON object';
  const { kind, key, value } = parsed as { kind?: unknown; key?: unknown; value?: unknown };
  if (!isRecordKind(kind)) return `unknown record kind ${JSON.stringify(kind) ?? 'undefined'}`;
  if (typeof key !== 'string' || key === '') return `${kind} record without a key`;
  const shape = SHAPES[kind];
  const problem = objectProblem(value, shape.fields, 'value');
  if (problem) return `${kind} "${key}": ${problem}`;
  const identity = (value as Record<string, unknown>)[shape.identity];
  if (identity !== key) {
    return `${kind} "${key}": its ${shape.identity} is ${JSON.stringify(identity)}, not the key`;
  }
  if (kind === 'chain' && (value as { fingerprints: unknown[] }).fingerprints.length === 0) {
    return `chain "${key}": no fingerprints`;
  }
  if (kind === 'target') {
    const expected = targetKey(value as Parameters<typeof targetKey>[0]);
    if (expected !== key)
      return `target "${key}": its zone, address, port and servername make "${expected}"`;
  }
  return undefined;
}

function objectProblem(value: unknown, fields: Shape['fields'], path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${path} should be an object`;
  }
  const record = value as Record<string, unknown>;
  for (const [name, field] of Object.entries(fields)) {
    if (record[name] === undefined && ADDED_LATER.has(name)) continue;
    const problem = fieldProblem(record[name], field, path === 'value' ? name : `${path}.${name}`);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(value: unknown, field: Field, path: string): string | undefined {
  if (value === null && field.endsWith('?')) return undefined;
  switch (field) {
    case 'string':
    case 'string?':
      return typeof value === 'string' ? undefined : `${path} should be a string${nullable(field)}`;
    case 'number':
    case 'number?':
      return Number.isFinite(value) ? undefined : `${path} should be a number${nullable(field)}`;
    case 'boolean':
    case 'boolean?':
      return typeof value === 'boolean'
        ? undefined
        : `${path} should be true or false${nullable(field)}`;
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? undefined
        : `${path} should be a list of strings`;
    case 'base64':
      return typeof value === 'string' && BASE64.test(value)
        ? undefined
        : `${path} should be base64 text`;
    case 'verdicts':
      return verdictsProblem(value, path);
    case 'nameCheck?':
      return objectProblem(value, NAME_CHECK, path);
    case 'revocation?':
      return objectProblem(value, REVOCATION, path);
    case 'revocationStatus':
      return REVOCATION_STATUSES.includes(value)
        ? undefined
        : `${path} should be one of ${REVOCATION_STATUSES.join(', ')}`;
    case 'sightingKind':
      return SIGHTING_KINDS.includes(value)
        ? undefined
        : `${path} should be one of ${SIGHTING_KINDS.join(', ')}`;
    case 'runStatus':
      return RUN_STATUSES.includes(value)
        ? undefined
        : `${path} should be one of ${RUN_STATUSES.join(', ')}`;
  }
}

/** One verdict per trust store, sorted by it. */
function verdictsProblem(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} should be a list of verdicts`;
  let previous: string | undefined;
  for (const [i, verdict] of value.entries()) {
    const problem = objectProblem(verdict, VERDICT, `${path}[${i}]`);
    if (problem) return problem;
    const store = (verdict as { trustStore: string }).trustStore;
    if (previous !== undefined && !(previous < store)) {
      return `${path} should be sorted by trustStore, one per trust store`;
    }
    previous = store;
  }
  return undefined;
}

function nullable(field: Field): string {
  return field.endsWith('?') ? ' or null' : '';
}
