// Calls to the JSON API, relative to the page (so the dashboard works wherever it is
// mounted), with the bearer token when the server asked for one.

const TOKEN_KEY = 'certsweep-token';

/** An answer that was not 200: its status and the API's error. */
export class ApiError extends Error {
  readonly status: number;
  readonly parameter: string | undefined;

  constructor(status: number, message: string, parameter?: string) {
    super(message);
    this.status = status;
    this.parameter = parameter;
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

function headers(): HeadersInit {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** `GET api/<path>?<params>` as JSON; parameters left undefined or empty are not sent. */
export async function get<T>(
  path: string,
  params: Record<string, string | number | boolean | undefined> = {},
): Promise<T> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const query = search.toString();
  const response = await fetch(`api/${path}${query ? `?${query}` : ''}`, { headers: headers() });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    let parameter: string | undefined;
    try {
      const body = (await response.json()) as { error?: { message?: string; parameter?: string } };
      message = body.error?.message ?? message;
      parameter = body.error?.parameter;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message, parameter);
  }
  return (await response.json()) as T;
}

/**
 * The run event stream, read with fetch (so it can carry the token, which EventSource
 * cannot): calls `onRuns` with each `runs` event's data until `signal` aborts.
 */
export async function watchRuns(
  onRuns: (data: { running: Run[] }) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch('api/runs/events', { headers: headers(), signal });
  if (!response.ok || !response.body)
    throw new ApiError(response.status, 'the run event stream is not available');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'runs' && data) onRuns(JSON.parse(data) as { running: Run[] });
      end = buffer.indexOf('\n\n');
    }
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Revocation {
  status: string;
  source: string | null;
  checkedAt: string;
  revokedAt: string | null;
  reason: string | null;
  problem: string | null;
}

export interface Certificate {
  fingerprint: string;
  subject: string;
  subjectCommonName: string | null;
  issuer: string;
  issuerCommonName: string | null;
  serialNumber: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
  keyBits: number | null;
  keyCurve: string | null;
  signatureAlgorithm: string;
  isCA: boolean;
  selfIssued: boolean;
  trustAnchor: boolean;
  parseError: string | null;
  firstSeen: string;
  lastSeen: string;
  revocation: Revocation | null;
}

export interface CertificateDetail extends Certificate {
  sha1: string;
  pem: string;
}

export interface CertificateRef {
  fingerprint: string;
  known: boolean;
  subject: string | null;
  issuer: string | null;
  notAfter: string | null;
  isCA: boolean | null;
  trustAnchor: boolean | null;
}

export interface Verdict {
  trustStore: string;
  valid: boolean;
  trusted: boolean;
  problems: string[];
  expiresAt: string | null;
  anchor: string | null;
  verifiedAt: string;
}

export interface Target {
  key: string;
  zone: string;
  address: string;
  port: number;
  servername: string | null;
  host: string;
  job: string | null;
  outcome: 'ok' | 'failing' | 'never-reached';
  chain: string | null;
  firstSeen: string;
  lastScanned: string;
  lastSuccess: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  trustStore: string | null;
  nameCheck: { hostname: string; matched: boolean } | null;
  protocol: string | null;
  cipher: string | null;
  alpn: string | null;
  starttls: string | null;
  ocspStapled: boolean | null;
  verdict: Verdict | null;
  leaf: CertificateRef | null;
}

export interface Sighting {
  id: string;
  at: string;
  kind: string;
  target: string;
  address: string;
  port: number;
  servername: string | null;
  chain: string | null;
  previousChain: string | null;
  error: string | null;
  job: string | null;
}

export interface Run {
  id: string;
  job: string;
  zone: string;
  mode: string;
  startedAt: string;
  endedAt: string | null;
  status: string;
  total: number | null;
  done: number;
  succeeded: number;
  failed: number;
  progress: number | null;
}

export interface Count {
  key: string;
  count: number;
}

export interface Aggregates {
  total: number;
  byIssuer: Count[];
  byKey: Count[];
  bySignature: Count[];
  byLifetime: Count[];
  expired: number;
  expiringLater: number;
}

export interface Timeline {
  weeks: { week: string; total: number; untrusted: number; trustedOrUnverified: number }[];
  expired: number;
  later: number;
}

export interface Problems {
  targets: number;
  complete: boolean;
  walked: number | null;
  invalidChains: number;
  invalidTargets: number;
  nameMismatches: number;
  byProblem: Count[];
}

export interface ChainSent {
  id: string;
  verdicts: Verdict[];
  sent: CertificateRef[];
  paths: { trustStore: string | null; certificates: CertificateRef[] }[];
}
