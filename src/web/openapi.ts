// The OpenAPI 3.1 document of the API, served at /api/openapi.json. Its schemas describe
// exactly what json.ts and api.ts send (tests validate every answer against them).

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });
const str: Schema = { type: 'string' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const strings: Schema = { type: 'array', items: str };

/** An object schema whose every property is required and nothing else is allowed. */
function object(properties: Record<string, Schema>, description?: string): Schema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

function pageOf(item: string): Schema {
  return object({
    items: { type: 'array', items: ref(item) },
    nextCursor: {
      ...nullable(str),
      description: 'Pass as `cursor` for the next page; null on the last.',
    },
  });
}

const CERTIFICATE_FIELDS: Record<string, Schema> = {
  fingerprint: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the DER.' },
  subject: { ...str, description: 'RFC 4514 text.' },
  subjectCommonName: nullable(str),
  issuer: str,
  issuerCommonName: nullable(str),
  serialNumber: str,
  dnsNames: strings,
  ipAddresses: strings,
  notBefore: time,
  notAfter: time,
  keyAlgorithm: { enum: ['rsa', 'rsa-pss', 'ec', 'dsa', 'ed25519', 'ed448', 'unknown'] },
  keyBits: nullable(int),
  keyCurve: nullable(str),
  signatureAlgorithm: str,
  isCA: bool,
  selfIssued: bool,
  trustAnchor: bool,
  parseError: nullable(str),
  firstSeen: time,
  lastSeen: time,
  revocation: nullable(ref('Revocation')),
};

const TARGET_FIELDS: Record<string, Schema> = {
  key: {
    ...str,
    description: 'zone|address|port|servername: the identity (percent-encode it in paths).',
  },
  zone: str,
  address: str,
  port: int,
  servername: nullable(str),
  host: str,
  job: nullable(str),
  outcome: {
    enum: ['ok', 'failing', 'never-reached'],
    description:
      'ok: the last probe succeeded; failing: it answered before and its last probe failed (see /api/dark-targets for those the inventory counts dark); never-reached: it never answered.',
  },
  chain: nullable(str),
  firstSeen: time,
  lastScanned: time,
  lastSuccess: nullable(time),
  lastError: nullable(str),
  consecutiveFailures: int,
  trustStore: nullable(str),
  nameCheck: nullable(object({ hostname: str, matched: bool })),
  protocol: nullable(str),
  cipher: nullable(str),
  alpn: nullable(str),
  starttls: nullable(str),
  ocspStapled: nullable(bool),
  verdict: nullable(ref('Verdict')),
  leaf: nullable(ref('CertificateRef')),
};

const SCHEMAS: Record<string, Schema> = {
  Error: object({
    error: {
      type: 'object',
      properties: {
        code: {
          enum: [
            'bad-parameter',
            'bad-path',
            'unauthorized',
            'not-found',
            'method-not-allowed',
            'not-built',
            'internal',
          ],
        },
        message: str,
        parameter: { ...str, description: 'The query parameter that was wrong (400).' },
      },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  }),
  Revocation: object({
    status: { enum: ['good', 'revoked', 'unknown', 'unavailable'] },
    source: nullable({ enum: ['staple', 'ocsp', 'crl'] }),
    checkedAt: time,
    revokedAt: nullable(time),
    reason: nullable(str),
    thisUpdate: nullable(time),
    nextUpdate: nullable(time),
    problem: nullable(str),
  }),
  Certificate: object(CERTIFICATE_FIELDS),
  CertificateDetail: object({
    ...CERTIFICATE_FIELDS,
    sha1: { type: 'string', pattern: '^[0-9a-f]{40}$' },
    pem: str,
  }),
  CertificateRef: object({
    fingerprint: str,
    known: { ...bool, description: 'Whether the inventory holds it.' },
    subject: nullable(str),
    issuer: nullable(str),
    notAfter: nullable(time),
    isCA: nullable(bool),
    trustAnchor: nullable(bool),
  }),
  Verdict: object({
    trustStore: str,
    valid: bool,
    trusted: bool,
    problems: { ...strings, description: 'Problem codes (see docs/verification.md).' },
    expiresAt: nullable(time),
    anchor: nullable(str),
    verifiedAt: time,
  }),
  Target: object(TARGET_FIELDS),
  Sighting: object({
    id: str,
    at: time,
    kind: { enum: ['new', 'changed', 'recovered', 'dark'] },
    target: str,
    zone: str,
    address: str,
    port: int,
    servername: nullable(str),
    chain: nullable(str),
    previousChain: nullable(str),
    error: nullable(str),
    job: nullable(str),
    scanner: { ...nullable(str), description: "The scanner that saw it (a fleet's scanner id)." },
  }),
  Run: object({
    id: str,
    job: str,
    zone: str,
    mode: str,
    startedAt: time,
    endedAt: nullable(time),
    status: { enum: ['running', 'completed', 'failed', 'aborted'] },
    total: nullable(int),
    done: int,
    succeeded: int,
    failed: int,
    scanner: {
      ...nullable(str),
      description: 'The scanner that started it (in a fleet, the member that planned it).',
    },
    progress: {
      ...nullable({ type: 'number', minimum: 0, maximum: 1 }),
      description: 'done / total, when the total is known.',
    },
  }),
  Count: object({ key: str, count: int }),
  Aggregates: object({
    at: time,
    total: int,
    byIssuer: { type: 'array', items: ref('Count') },
    byKey: { type: 'array', items: ref('Count') },
    bySignature: { type: 'array', items: ref('Count') },
    byLifetime: { type: 'array', items: ref('Count') },
    expired: int,
    expiryByWeek: {
      type: 'array',
      items: object({ week: { type: 'string', format: 'date' }, count: int }),
    },
    expiringLater: int,
  }),
  Timeline: object({
    at: time,
    weeks: {
      type: 'array',
      items: object({
        week: {
          type: 'string',
          format: 'date',
          description: 'The Monday (UTC) starting the week.',
        },
        total: int,
        untrusted: int,
        trustedOrUnverified: int,
      }),
    },
    expired: int,
    untrustedExpired: int,
    later: int,
  }),
  Problems: object({
    targets: {
      ...int,
      description:
        'Judged targets: those whose current chain has a verdict for their own trust store.',
    },
    complete: {
      ...bool,
      description:
        'Whether the counts cover every target (always, with the adapters of this package).',
    },
    walked: {
      ...nullable(int),
      description: 'When not complete, how many targets (in key order) the counts cover.',
    },
    invalidChains: {
      ...int,
      description: 'Path verdicts in use (a chain against one trust store) that are not valid.',
    },
    invalidTargets: { ...int, description: 'Judged targets with an invalid verdict.' },
    nameMismatches: { ...int, description: 'Judged targets whose name did not match.' },
    byProblem: {
      type: 'array',
      description:
        'Per problem code of the path verdicts in use: `count` verdicts and `targets` judged ' +
        'targets that have it; most targets first.',
      items: object({ key: str, count: int, targets: int }),
    },
  }),
  Counts: object({ certificate: int, chain: int, target: int, sighting: int, run: int }),
  ChainSent: object({
    id: str,
    firstSeen: time,
    lastSeen: time,
    verdicts: { type: 'array', items: ref('Verdict') },
    sent: {
      type: 'array',
      items: ref('CertificateRef'),
      description: 'Exactly as the server sent it, leaf first.',
    },
    paths: {
      type: 'array',
      items: object({
        trustStore: nullable(str),
        certificates: { type: 'array', items: ref('CertificateRef') },
      }),
      description: 'The path built, per verdict: leaf to the anchor that verdict reached.',
    },
  }),
  CertificatePage: pageOf('Certificate'),
  TargetPage: pageOf('Target'),
  SightingPage: pageOf('Sighting'),
  RunPage: pageOf('Run'),
};

const PARAMETERS: Record<string, Schema> = {
  limit: {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
  cursor: {
    name: 'cursor',
    in: 'query',
    schema: str,
    description: '`nextCursor` of the previous page.',
  },
};

const query = (name: string, schema: Schema, description?: string, required = false): Schema => ({
  name,
  in: 'query',
  schema,
  ...(required ? { required: true } : {}),
  ...(description ? { description } : {}),
});
const timeParameter = {
  type: 'string',
  description: 'ISO 8601 date or date-time, or ms since the epoch.',
};
const page = [
  { $ref: '#/components/parameters/limit' },
  { $ref: '#/components/parameters/cursor' },
];
const targetFilters = [
  query('job', str),
  query('zone', str),
  query('address', str),
  query('port', { type: 'integer', minimum: 1, maximum: 65535 }),
  query('servername', str),
  query('name', str, 'Host or SNI name, ignoring case.'),
  ...page,
];

function json(schema: string, description: string): Schema {
  return { description, content: { 'application/json': { schema: ref(schema) } } };
}

const ERRORS = {
  '400': json('Error', 'A query parameter is wrong: `error.parameter` names it.'),
  '401': json('Error', 'A bearer token is required and was missing or wrong.'),
};

function get(summary: string, schema: string, parameters: Schema[] = [], notFound = false): Schema {
  return {
    get: {
      summary,
      parameters,
      responses: {
        '200': json(schema, summary),
        ...ERRORS,
        ...(notFound ? { '404': json('Error', 'Not in the inventory.') } : {}),
      },
    },
  };
}

/**
 * An OpenAPI 3.1 document, as {@link openApiDocument} returns it.
 *
 * @example
 * ```ts
 * const doc: OpenApiDocument = openApiDocument();
 * ```
 */
export interface OpenApiDocument {
  /** The OpenAPI version: `3.1.0`. */
  readonly openapi: string;
  /** Every endpoint, by path. */
  readonly paths: Record<string, unknown>;
  /** `info`, `components`, `security`. */
  readonly [field: string]: unknown;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, as `/api/openapi.json` serves it: every endpoint,
 * its parameters and the JSON schema of every answer.
 *
 * @example
 * ```ts
 * import { openApiDocument } from 'certsweep';
 *
 * console.log(Object.keys(openApiDocument().paths)); // ['/api/certificates', …]
 * ```
 */
export function openApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'certsweep',
      version: '1',
      description:
        'Read-only API over a certsweep inventory. Times are ISO 8601 (UTC). Lists are pages: pass `nextCursor` as `cursor`. ' +
        'When the server has a token, every request needs `Authorization: Bearer TOKEN`.',
    },
    components: {
      schemas: SCHEMAS,
      parameters: PARAMETERS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{}, { bearer: [] }],
    paths: {
      '/api/certificates': get('Certificates, soonest expiry first', 'CertificatePage', [
        query('issuer', str, 'Substring of the issuer, ignoring case.'),
        query('subject', str, 'Substring of the subject, ignoring case.'),
        query('san', str, 'A DNS (ignoring case) or IP subject alternative name, exactly.'),
        query('keyAlgorithm', {
          enum: ['rsa', 'rsa-pss', 'ec', 'dsa', 'ed25519', 'ed448', 'unknown'],
        }),
        query('keyBits', { type: 'integer', minimum: 1 }),
        query('signatureAlgorithm', str, 'e.g. ecdsa-with-SHA256'),
        query(
          'trusted',
          { type: 'boolean' },
          'true: trusted (or an anchor); false: in chains no verdict trusts.',
        ),
        query('expiringBefore', timeParameter),
        query('ca', { type: 'boolean' }),
        query('inUse', { type: 'boolean' }, 'Served by some target now.'),
        query('revoked', { type: 'boolean' }),
        ...page,
      ]),
      '/api/certificates/{fingerprint}': {
        parameters: [
          {
            name: 'fingerprint',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
          },
        ],
        get: {
          summary:
            'One certificate: its first 50 deployments, the chains they serve (up to 10) as sent and the paths built, problems, revocation, and the history of its first 10 deployments (up to 100 sightings, newest first)',
          responses: {
            '200': {
              description: 'The certificate',
              content: {
                'application/json': {
                  schema: object({
                    certificate: ref('CertificateDetail'),
                    deployments: ref('TargetPage'),
                    chains: { type: 'array', items: ref('ChainSent') },
                    history: { type: 'array', items: ref('Sighting') },
                  }),
                },
              },
            },
            ...ERRORS,
            '404': json('Error', 'Not in the inventory.'),
          },
        },
      },
      '/api/certificates/{fingerprint}/usage': {
        parameters: [
          {
            name: 'fingerprint',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
          },
        ],
        ...get(
          'Where a certificate is deployed: the targets whose latest chain holds it',
          'TargetPage',
          page,
        ),
      },
      '/api/targets': get(
        'Targets by key, with their latest outcome, TLS version, cipher and verdict',
        'TargetPage',
        targetFilters,
      ),
      '/api/targets/{key}': {
        parameters: [
          {
            name: 'key',
            in: 'path',
            required: true,
            schema: str,
            description: 'The target key, percent-encoded.',
          },
        ],
        get: {
          summary: 'One target: its chain as sent and the path built, its verdict, its history',
          parameters: [
            query('historyLimit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
            query('historyCursor', str),
          ],
          responses: {
            '200': {
              description: 'The target',
              content: {
                'application/json': {
                  schema: object({
                    target: ref('Target'),
                    chain: nullable(
                      object({
                        id: str,
                        firstSeen: time,
                        lastSeen: time,
                        verdicts: { type: 'array', items: ref('Verdict') },
                        sent: { type: 'array', items: ref('CertificateRef') },
                        path: { type: 'array', items: ref('CertificateRef') },
                      }),
                    ),
                    history: ref('SightingPage'),
                  }),
                },
              },
            },
            ...ERRORS,
            '404': json('Error', 'Not in the inventory.'),
          },
        },
      },
      '/api/dark-targets': get(
        'Targets that answered before and fail now',
        'TargetPage',
        targetFilters,
      ),
      '/api/changes': get(
        'Every sighting (new, changed, recovered, dark) since a time, oldest first',
        'SightingPage',
        [query('since', timeParameter, undefined, true), ...page],
      ),
      '/api/runs': get('Runs, oldest first', 'RunPage', [
        query('job', str),
        query('status', { enum: ['running', 'completed', 'failed', 'aborted'] }),
        query(
          'latest',
          { type: 'integer', minimum: 1, maximum: 1000 },
          'The newest runs instead, newest first, in one page (no limit or cursor).',
        ),
        ...page,
      ]),
      '/api/runs/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: str }],
        ...get('One run', 'Run', [], true),
      },
      '/api/runs/events': {
        get: {
          summary:
            'Server-sent events: `event: runs` with `{ "running": Run[] }` at once and whenever the running runs change',
          responses: {
            '200': {
              description: 'An event stream (text/event-stream) that stays open',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '401': ERRORS['401'],
          },
        },
      },
      '/api/aggregates': get(
        'Counts for dashboards: by issuer, key, signature algorithm, lifetime; expiry by week',
        'Aggregates',
        [
          query('at', timeParameter),
          query('weeks', { type: 'integer', minimum: 0, maximum: 520, default: 52 }),
          query('includeCas', { type: 'boolean', default: false }),
          query('includeUnused', { type: 'boolean', default: false }),
        ],
      ),
      '/api/timeline': get(
        'Expiry timeline: server certificates in use expiring per week, split by trust state',
        'Timeline',
        [
          query('at', timeParameter),
          query('weeks', { type: 'integer', minimum: 1, maximum: 104, default: 52 }),
        ],
      ),
      '/api/problems': get(
        'Problems of the verdicts in use, counted over every target',
        'Problems',
      ),
      '/api/counts': get('Records of each kind', 'Counts'),
      '/api/openapi.json': {
        get: {
          summary: 'This document',
          responses: {
            '200': {
              description: 'OpenAPI 3.1',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
  };
}
