// The HTTP API on a real server over an inventory recorded from a loopback farm by a real
// scan: what each endpoint answers (checked against the OpenAPI document the server serves),
// filters and paging, the 400s naming the parameter, read-only methods, the security headers,
// and the token rule of createWebHandler and serveWeb.

import { createServer, type Server } from 'node:http';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebOptionsError } from '../../src/errors.js';
import { sqliteStorage, targetVerdict } from '../../src/inventory/index.js';
import { Inventory } from '../../src/inventory/inventory.js';
import {
  CONTENT_SECURITY_POLICY,
  createWebHandler,
  openApiDocument,
  parseListen,
  serveWeb,
  type WebHandler,
} from '../../src/web/index.js';
import { type OpenApiChecker, openApiChecker } from './openapi-check.js';
import { recordWebFixture, type WebFixture } from './web-fixture.js';

let fixture: WebFixture;
let inventory: Inventory;
let handler: WebHandler;
let server: Server;
let origin: string;
let openapi: OpenApiChecker;

async function listen(h: WebHandler): Promise<{ server: Server; origin: string }> {
  const s = createServer(h);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { server: s, origin: `http://127.0.0.1:${(s.address() as { port: number }).port}` };
}

beforeAll(async () => {
  fixture = await recordWebFixture('127.46.2');
  inventory = await fixture.open();
  handler = createWebHandler({ inventory, pollMs: 50 });
  ({ server, origin } = await listen(handler));
  const document = (await (await fetch(`${origin}/api/openapi.json`)).json()) as {
    paths: Record<string, unknown>;
  };
  openapi = openApiChecker(document);
}, 120_000);

afterAll(async () => {
  handler?.close();
  await new Promise((resolve) => server?.close(resolve));
  await inventory?.close();
  await fixture?.close();
});

/** GET `path`; the body is checked against the document's schema for `template` and its status. */
async function get<T = Record<string, unknown>>(
  template: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${origin}${path}`, init);
  const body = (await response.json()) as T;
  openapi.check(template, response.status, body);
  return { status: response.status, body, headers: response.headers };
}

type Item = Record<string, unknown>;
interface PageBody {
  items: Item[];
  nextCursor: string | null;
}

const fingerprintOf = (s: WebFixture['served'][number]) =>
  s.leaf.x509.fingerprint256.replaceAll(':', '').toLowerCase();

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, the same as openApiDocument() returns', async () => {
    const served = await (await fetch(`${origin}/api/openapi.json`)).json();
    expect(served).toEqual(openApiDocument());
    const result = await validate(structuredClone(served) as Parameters<typeof validate>[0]);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect((served as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('certificates', () => {
  it('lists every certificate soonest expiry first, page by page, each once', async () => {
    const all: Item[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const { status, body } = await get<PageBody>(
        '/api/certificates',
        `/api/certificates?limit=4${q}`,
      );
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(4);
      all.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    const counts = await inventory.counts();
    expect(all).toHaveLength(counts.certificate);
    expect(new Set(all.map((c) => c.fingerprint)).size).toBe(counts.certificate);
    const times = all.map((c) => Date.parse(String(c.notAfter)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('filters by issuer, subject, SAN, key, signature, trust state, expiry, CA and use', async () => {
    const fps = async (query: string) =>
      (await get<PageBody>('/api/certificates', `/api/certificates?${query}`)).body.items
        .map((c) => String(c.fingerprint))
        .sort();
    const leaves = (pick: (s: WebFixture['served'][number]) => boolean) =>
      fixture.served.filter(pick).map(fingerprintOf).sort();
    expect(await fps('issuer=beta+issuing&ca=false')).toEqual(
      leaves((s) => s.issuerName === 'Beta Issuing CA'),
    );
    expect(await fps('subject=www3.web')).toEqual(
      leaves((s) => s.leaf.x509.subject === 'CN=www3.web.test'),
    );
    expect(await fps('san=hostile.web.test')).toEqual([fingerprintOf(fixture.hostile)]);
    expect(await fps('keyAlgorithm=rsa&keyBits=2048&ca=false')).toEqual(
      leaves((s) => s.keyLabel === 'rsa 2048'),
    );
    expect(await fps('signatureAlgorithm=sha256WithRSAEncryption&ca=false')).toEqual(
      leaves((s) => s.issuerName === 'Beta Issuing CA'),
    );
    expect(await fps('trusted=false&ca=false')).toEqual(leaves((s) => !s.trusted));
    expect(await fps('trusted=true&ca=false')).toEqual(leaves((s) => s.trusted));
    const soon = fixture.scannedAt + 30 * 86_400_000;
    expect(await fps(`expiringBefore=${new Date(soon).toISOString()}&ca=false`)).toEqual(
      leaves((s) => s.notAfter < soon),
    );
    expect(await fps(`expiringBefore=${soon}&ca=false`)).toEqual(leaves((s) => s.notAfter < soon));
    expect((await fps('ca=true')).length).toBe(4); // three intermediates and the trusted root
    expect(await fps('inUse=false&ca=false')).toEqual([]);
  });

  it('answers one certificate with its chain as sent, the path built, where it is deployed and its history', async () => {
    const first = fixture.served[0];
    if (!first) throw new Error('no leaf');
    const fp = fingerprintOf(first);
    const { status, body } = await get<{
      certificate: Item;
      deployments: PageBody;
      chains: {
        sent: Item[];
        paths: { trustStore: string; certificates: Item[] }[];
        verdicts: Item[];
      }[];
      history: Item[];
    }>('/api/certificates/{fingerprint}', `/api/certificates/${fp.toUpperCase()}`);
    expect(status).toBe(200);
    expect(body.certificate).toMatchObject({
      fingerprint: fp,
      subject: 'CN=www0.web.test',
      pem: first.leaf.pem.replace(/\r/g, ''),
    });
    expect(body.certificate.sha1).toBe(
      first.leaf.x509.fingerprint.replaceAll(':', '').toLowerCase(),
    );
    expect(body.deployments.items.map((t) => t.address).sort()).toEqual([...first.hosts].sort());
    expect(body.chains).toHaveLength(1);
    const [chain] = body.chains;
    expect(chain?.sent.map((c) => c.subject)).toEqual(['CN=www0.web.test', 'CN=Alpha Issuing CA']);
    expect(chain?.paths).toEqual([
      {
        trustStore: 'web-test',
        certificates: [
          expect.objectContaining({ subject: 'CN=www0.web.test' }),
          expect.objectContaining({ subject: 'CN=Alpha Issuing CA' }),
          expect.objectContaining({ subject: 'CN=Web Test Root A', trustAnchor: true }),
        ],
      },
    ]);
    expect(chain?.verdicts).toEqual([
      expect.objectContaining({ valid: true, trusted: true, problems: [] }),
    ]);
    expect(body.history.map((s) => s.kind)).toEqual(['new', 'new', 'new']);
    // Its usage, paged.
    const usage = await get<PageBody>(
      '/api/certificates/{fingerprint}/usage',
      `/api/certificates/${fp}/usage?limit=2`,
    );
    expect(usage.body.items).toHaveLength(2);
    const rest = await get<PageBody>(
      '/api/certificates/{fingerprint}/usage',
      `/api/certificates/${fp}/usage?limit=2&cursor=${encodeURIComponent(usage.body.nextCursor ?? '')}`,
    );
    expect([...usage.body.items, ...rest.body.items].map((t) => t.address).sort()).toEqual(
      [...first.hosts].sort(),
    );
    expect(rest.body.nextCursor).toBeNull();
  });

  it('reports the problems of an untrusted chain and answers 404 for an unknown certificate', async () => {
    const gamma = fixture.served.find((s) => !s.trusted && s.issuerName === 'Gamma Untrusted CA');
    if (!gamma) throw new Error('no untrusted leaf');
    const { body } = await get<{
      chains: { verdicts: Item[]; paths: { certificates: Item[] }[] }[];
    }>('/api/certificates/{fingerprint}', `/api/certificates/${fingerprintOf(gamma)}`);
    expect(body.chains[0]?.verdicts[0]).toMatchObject({
      valid: false,
      trusted: false,
      problems: ['untrusted-root'],
    });
    expect(body.chains[0]?.paths[0]?.certificates).toHaveLength(2); // leaf and intermediate: no anchor
    const missing = await get(
      '/api/certificates/{fingerprint}',
      `/api/certificates/${'0'.repeat(64)}`,
    );
    expect(missing.status).toBe(404);
    const bad = await get('/api/certificates/{fingerprint}', '/api/certificates/not-a-fingerprint');
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: 'bad-parameter', parameter: 'fingerprint' } },
    });
  });
});

describe('targets, dark targets, changes, runs', () => {
  it('lists targets with their latest outcome, TLS version, cipher and verdict, and filters them', async () => {
    const { body } = await get<PageBody>('/api/targets', '/api/targets?limit=100');
    const count = fixture.served.reduce((n, s) => n + s.hosts.length, 0);
    expect(body.items).toHaveLength(count);
    const live = body.items.filter((t) => t.outcome === 'ok');
    expect(live).toHaveLength(count - 1);
    for (const t of live) {
      expect(t.protocol).toBe('TLSv1.3');
      expect(t.cipher).toMatch(/^TLS_/);
      expect(t.verdict).not.toBeNull();
    }
    const sni = fixture.served[1];
    const named = await get<PageBody>('/api/targets', `/api/targets?servername=${sni?.servername}`);
    expect(named.body.items).toEqual([
      expect.objectContaining({
        address: sni?.hosts[0],
        nameCheck: { hostname: sni?.servername, matched: true },
      }),
    ]);
    const byAddress = await get<PageBody>(
      '/api/targets',
      `/api/targets?address=${fixture.dark.address}&port=${fixture.port}`,
    );
    expect(byAddress.body.items).toEqual([
      expect.objectContaining({ outcome: 'failing', lastError: 'REFUSED' }),
    ]);
    const dark = await get<PageBody>('/api/dark-targets', '/api/dark-targets');
    expect(dark.body.items.map((t) => t.address)).toEqual([fixture.dark.address]);
  });

  it('answers one target with its chain, path and history, and 404 for an unknown one', async () => {
    const key = `default|${fixture.dark.address}|${fixture.port}|`;
    const { status, body } = await get<{
      target: Item;
      chain: { sent: Item[]; path: Item[] };
      history: PageBody;
    }>('/api/targets/{key}', `/api/targets/${encodeURIComponent(key)}`);
    expect(status).toBe(200);
    expect(body.target).toMatchObject({ key, outcome: 'failing', consecutiveFailures: 1 });
    expect(body.chain.sent.map((c) => c.subject)).toEqual(['CN=self-signed.web.test']);
    expect(body.history.items.map((s) => s.kind)).toEqual(['new', 'dark']);
    const missing = await get(
      '/api/targets/{key}',
      `/api/targets/${encodeURIComponent('default|192.0.2.1|443|')}`,
    );
    expect(missing.status).toBe(404);
  });

  it('lists the changes since a time, and needs the time', async () => {
    const counts = await inventory.counts();
    const all = await get<PageBody>('/api/changes', '/api/changes?since=1970-01-01&limit=1000');
    expect(all.body.items).toHaveLength(counts.sighting);
    const future = await get<PageBody>(
      '/api/changes',
      `/api/changes?since=${Date.now() + 86_400_000}`,
    );
    expect(future.body.items).toEqual([]);
    const missing = await get('/api/changes', '/api/changes');
    expect(missing).toMatchObject({ status: 400, body: { error: { parameter: 'since' } } });
  });

  it('lists runs oldest first, the latest newest first, one by id, and streams the running ones', async () => {
    const runs = await get<PageBody>('/api/runs', '/api/runs');
    expect(runs.body.items.map((r) => r.job)).toEqual(['web', 'web-recheck']);
    expect(runs.body.items[0]).toMatchObject({ status: 'completed', progress: 1, failed: 0 });
    const latest = await get<PageBody>('/api/runs', '/api/runs?latest=1');
    expect(latest.body.items.map((r) => r.job)).toEqual(['web-recheck']);
    const id = String(runs.body.items[0]?.id);
    expect((await get('/api/runs/{id}', `/api/runs/${id}`)).body).toEqual(runs.body.items[0]);
    expect((await get('/api/runs/{id}', '/api/runs/no-such-run')).status).toBe(404);
    expect((await get('/api/runs', '/api/runs?latest=1&limit=5')).status).toBe(400);

    const stop = new AbortController();
    const response = await fetch(`${origin}/api/runs/events`, { signal: stop.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe('event: runs\ndata: {"running":[]}\n\n');
    stop.abort();
  });
});

describe('counts for the overview', () => {
  it('answers aggregates, the timeline, the problems and the counts', async () => {
    const aggregates = await get<Item & { total: number }>('/api/aggregates', '/api/aggregates');
    expect(aggregates.body.total).toBe(fixture.served.length);
    const timeline = await get<{ weeks: { total: number; untrusted: number }[]; expired: number }>(
      '/api/timeline',
      '/api/timeline',
    );
    expect(timeline.body.weeks).toHaveLength(52);
    const future = fixture.served.filter((s) => s.notAfter >= Date.now());
    expect(timeline.body.weeks.reduce((n, w) => n + w.total, 0)).toBe(future.length);
    expect(timeline.body.weeks.reduce((n, w) => n + w.untrusted, 0)).toBe(
      future.filter((s) => !s.trusted).length,
    );
    expect(timeline.body.expired).toBe(fixture.served.length - future.length);
    const problems = await get<Item>('/api/problems', '/api/problems');
    expect(problems.body).toMatchObject({ complete: true, invalidChains: 5, nameMismatches: 0 });
    expect((await get('/api/counts', '/api/counts')).body).toEqual(await inventory.counts());
    expect((await get('/api/timeline', '/api/timeline?weeks=4')).body.weeks).toHaveLength(4);
  });

  it('counts the problems of every target, whatever the walk budget, as each target reads its verdict', async () => {
    // The oracle: every target's own verdict through the public API, one by one.
    let targets = 0;
    let invalidTargets = 0;
    let nameMismatches = 0;
    const invalid = new Set<string>();
    const byCode = new Map<string, { chains: Set<string>; targets: number }>();
    for (const target of (await inventory.targets({ limit: 10_000 })).items) {
      const verdict = targetVerdict(target, await inventory.chain(target.chain ?? ''));
      if (!verdict) continue;
      targets++;
      if (!verdict.valid) invalidTargets++;
      if (verdict.nameCheck?.matched === false) nameMismatches++;
      const pair = `${target.chain} ${verdict.trustStore}`;
      const pathValid = verdict.valid || verdict.problems.includes('hostname-mismatch');
      if (!pathValid) invalid.add(pair);
      for (const code of verdict.problems.filter((c) => c !== 'hostname-mismatch')) {
        const entry = byCode.get(code) ?? { chains: new Set(), targets: 0 };
        entry.chains.add(pair);
        entry.targets++;
        byCode.set(code, entry);
      }
    }
    expect(targets).toBeGreaterThan(2);
    expect(invalid.size).toBe(5);
    const expected = {
      targets,
      complete: true,
      walked: null,
      invalidChains: invalid.size,
      invalidTargets,
      nameMismatches,
      byProblem: [...byCode]
        .map(([key, { chains, targets: n }]) => ({ key, count: chains.size, targets: n }))
        .sort((a, b) => b.targets - a.targets || (a.key < b.key ? -1 : 1)),
    };
    expect((await get('/api/problems', '/api/problems')).body).toEqual(expected);

    // A budget of one target changes nothing: the SQLite adapter counts them all itself.
    const small = createWebHandler({ inventory, problemTargets: 1 });
    const at = await listen(small);
    try {
      const answer = await fetch(`${at.origin}/api/problems`);
      expect(await answer.json()).toEqual(expected);
    } finally {
      small.close();
      await new Promise((resolve) => at.server.close(resolve));
    }

    // A storage without problemCounts is walked within the budget, and says so.
    const { problemCounts: _none, ...bare } = sqliteStorage({ path: fixture.path });
    const walking = await Inventory.open({ storage: bare, readOnly: true });
    const budgeted = createWebHandler({ inventory: walking, problemTargets: 2 });
    const there = await listen(budgeted);
    try {
      const partial = (await (await fetch(`${there.origin}/api/problems`)).json()) as Item;
      openapi.check('/api/problems', 200, partial);
      expect(partial).toMatchObject({ complete: false, walked: 2 });
      expect(await walking.problemCounts()).toEqual(await inventory.problemCounts());
    } finally {
      budgeted.close();
      await new Promise((resolve) => there.server.close(resolve));
      await walking.close();
    }
  });
});

describe('bad requests', () => {
  it.each([
    ['/api/certificates', '/api/certificates?limit=0', 'limit'],
    ['/api/certificates', '/api/certificates?limit=abc', 'limit'],
    ['/api/certificates', '/api/certificates?cursor=not-a-cursor', 'cursor'],
    ['/api/certificates', '/api/certificates?trusted=yes', 'trusted'],
    ['/api/certificates', '/api/certificates?expiringBefore=next+week', 'expiringBefore'],
    ['/api/certificates', '/api/certificates?keyAlgorithm=rot13', 'keyAlgorithm'],
    ['/api/certificates', '/api/certificates?colour=red', 'colour'],
    ['/api/certificates', '/api/certificates?issuer=a&issuer=b', 'issuer'],
    ['/api/targets', '/api/targets?port=70000', 'port'],
    ['/api/runs', '/api/runs?status=sleeping', 'status'],
    ['/api/aggregates', '/api/aggregates?weeks=-1', 'weeks'],
    ['/api/timeline', '/api/timeline?at=yesterday', 'at'],
  ])('%s answers 400 naming the parameter for %s', async (template, path, parameter) => {
    const { status, body } = await get(template, path);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'bad-parameter', parameter } });
    expect(JSON.stringify(body)).toContain(parameter);
  });

  it('answers 405 to anything but GET and HEAD, and 404 outside the API and the page', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(`${origin}/api/certificates`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(await response.json()).toMatchObject({ error: { code: 'method-not-allowed' } });
    }
    const head = await fetch(`${origin}/api/counts`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    for (const path of [
      '/api/nothing',
      '/assets/../package.json',
      '/assets/missing.js',
      '/etc/passwd',
    ]) {
      expect((await fetch(`${origin}${path}`)).status).toBe(404);
    }
  });
});

describe('the page and its headers', () => {
  it('serves the page and its files with a strict CSP and nosniff, and the API with them too', async () => {
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/app.css', 'text/css; charset=utf-8'],
      ['/api/counts', 'application/json; charset=utf-8'],
    ] as const) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    const page = await (await fetch(`${origin}/`)).text();
    expect(page).not.toMatch(/<script>|<style|style=|https?:\/\//);
  });
});

describe('a handler mounted under a path', () => {
  it('answers under its basePath only, the page and the API alike', async () => {
    const mounted = createWebHandler({ inventory, basePath: '/certs/' });
    const { server: s, origin: o } = await listen(mounted);
    try {
      expect((await fetch(`${o}/certs/api/counts`)).status).toBe(200);
      expect((await fetch(`${o}/certs/`)).status).toBe(200);
      expect((await fetch(`${o}/certs/assets/app.js`)).status).toBe(200);
      expect((await fetch(`${o}/api/counts`)).status).toBe(404);
      expect((await fetch(`${o}/`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });
});

describe('the token', () => {
  it('is required on every API request of a handler that has one, and not for the page', async () => {
    const guarded = createWebHandler({ inventory, token: 'correct-horse-battery' });
    const { server: s, origin: o } = await listen(guarded);
    try {
      for (const headers of [
        {},
        { Authorization: 'Bearer wrong-token-here' },
        { Authorization: 'Basic Y29ycmVjdA==' },
      ]) {
        const response = await fetch(`${o}/api/certificates`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="certsweep"');
        openapi.check('/api/certificates', 401, await response.json());
      }
      const ok = await fetch(`${o}/api/certificates`, {
        headers: { Authorization: 'Bearer correct-horse-battery' },
      });
      expect(ok.status).toBe(200);
      expect((await fetch(`${o}/`)).status).toBe(200);
      expect((await fetch(`${o}/api/openapi.json`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('is needed by serveWeb on any address but loopback, from the option or CERTSWEEP_TOKEN', async () => {
    await expect(serveWeb({ inventory, listen: '0.0.0.0:0', env: {} })).rejects.toMatchObject({
      name: 'WebOptionsError',
      option: 'token',
    });
    await expect(serveWeb({ inventory, listen: '[::]:0', env: {} })).rejects.toBeInstanceOf(
      WebOptionsError,
    );
    const open = await serveWeb({ inventory, listen: '127.0.0.1:0', env: {} });
    try {
      expect(open.url).toBe(`http://127.0.0.1:${open.port}/`);
      expect((await fetch(`${open.url}api/counts`)).status).toBe(200);
    } finally {
      await open.close();
    }
    const guarded = await serveWeb({
      inventory,
      listen: '0.0.0.0:0',
      env: { CERTSWEEP_TOKEN: 'from-the-environment' },
    });
    try {
      const at = `http://127.0.0.1:${guarded.port}/api/counts`;
      expect((await fetch(at)).status).toBe(401);
      expect(
        (await fetch(at, { headers: { Authorization: 'Bearer from-the-environment' } })).status,
      ).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('refuses bad options, naming them', () => {
    expect(() => createWebHandler({} as never)).toThrow(
      expect.objectContaining({ option: 'inventory' }),
    );
    expect(() => createWebHandler({ inventory, token: 'short' })).toThrow(
      expect.objectContaining({ option: 'token' }),
    );
    expect(() => createWebHandler({ inventory, basePath: 'x' })).toThrow(
      expect.objectContaining({ option: 'basePath' }),
    );
    expect(() => createWebHandler({ inventory, pollMs: 0 })).toThrow(
      expect.objectContaining({ option: 'pollMs' }),
    );
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    for (const bad of ['8080', 'localhost', 'host:99999', '[nope]:80', ':80']) {
      expect(() => parseListen(bad)).toThrow(
        expect.objectContaining({ code: 'CERTSWEEP_WEB_OPTIONS', option: 'listen' }),
      );
    }
  });
});

describe('every endpoint', () => {
  it('was called above and its answers checked against the document', () => {
    const documented = Object.keys(openApiDocument().paths).filter(
      (p) => p !== '/api/runs/events' && p !== '/api/openapi.json',
    );
    expect([...openapi.checked].sort()).toEqual(documented.sort());
  });
});
