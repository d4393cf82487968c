// The JSON endpoints: each reads its parameters strictly, asks the inventory and answers
// plain JSON (see openapi.ts for the shapes).
import type { Inventory, Page, RunRecord, TargetQuery, TargetRecord } from '../inventory/index.js';
import {
  certificateDetailJson,
  certificateJson,
  certificateRefJson,
  chainJson,
  iso,
  runJson,
  sightingJson,
  targetJson,
} from './json.js';
import { Lookup } from './lookup.js';
import { BadParameter, fingerprintParameter, Params } from './params.js';
import { problemCounts } from './problems.js';
import { timeline } from './timeline.js';

/** An answer: a status and a JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** What the endpoints share: the inventory and the budgets of the counting endpoints. */
export interface ApiContext {
  readonly inventory: Inventory;
  /** Targets `/api/problems` walks at most. */
  readonly problemTargets: number;
}

const PAGE = ['limit', 'cursor'];
const TARGET_FILTERS = ['job', 'zone', 'address', 'port', 'servername', 'name', ...PAGE];

type Endpoint = (
  context: ApiContext,
  search: URLSearchParams,
  ...parts: string[]
) => Promise<Answer>;

/** Routes: a pattern of path segments (`*` one segment) and its endpoint. */
const ROUTES: readonly [readonly string[], Endpoint][] = [
  [['certificates'], certificates],
  [['certificates', '*'], certificate],
  [['certificates', '*', 'usage'], usage],
  [['targets'], targets],
  [['targets', '*'], target],
  [['dark-targets'], darkTargets],
  [['changes'], changes],
  [['runs'], runs],
  [['runs', '*'], run],
  [['aggregates'], aggregates],
  [['timeline'], timelineEndpoint],
  [['problems'], problems],
  [['counts'], counts],
];

/** The endpoint for the path segments after `/api/`, with the segments `*` matched. */
export function route(
  segments: readonly string[],
): { endpoint: Endpoint; parts: string[] } | undefined {
  for (const [pattern, endpoint] of ROUTES) {
    if (pattern.length !== segments.length) continue;
    const parts: string[] = [];
    let matched = true;
    for (let i = 0; i < pattern.length; i++) {
      const segment = segments[i] as string;
      if (pattern[i] === '*') parts.push(segment);
      else if (pattern[i] !== segment) matched = false;
    }
    if (matched) return { endpoint, parts };
  }
  return undefined;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const notFound = (what: string): Answer => ({
  status: 404,
  body: { error: { code: 'not-found', message: `no such ${what}` } },
});

function pageJson<T, J>(page: Page<T>, map: (item: T) => J) {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

async function certificates(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  const p = new Params(search, [
    'issuer',
    'subject',
    'san',
    'keyAlgorithm',
    'keyBits',
    'signatureAlgorithm',
    'trusted',
    'expiringBefore',
    'ca',
    'inUse',
    'revoked',
    ...PAGE,
  ]);
  const query = {
    ...p.page(),
    issuer: p.text('issuer'),
    subject: p.text('subject'),
    san: p.text('san'),
    keyAlgorithm: p.keyAlgorithm('keyAlgorithm'),
    keyBits: p.integer('keyBits', 1, 65_536),
    signatureAlgorithm: p.text('signatureAlgorithm'),
    trusted: p.boolean('trusted'),
    expiringBefore: p.time('expiringBefore'),
    ca: p.boolean('ca'),
    inUse: p.boolean('inUse'),
    revoked: p.boolean('revoked'),
  };
  const page = await context.inventory.certificates(defined(query));
  return ok(pageJson(page, certificateJson));
}

async function certificate(
  context: ApiContext,
  search: URLSearchParams,
  fingerprint: string,
): Promise<Answer> {
  new Params(search, []);
  const fp = fingerprintParameter(fingerprint);
  const lookup = new Lookup(context.inventory);
  const cert = await lookup.certificate(fp);
  if (!cert) return notFound('certificate');
  const deployed = await context.inventory.usage(fp, { limit: 50 });
  const served = await Promise.all(deployed.items.map((t) => lookup.served(t)));
  // The chains it is served in, each as sent and as the path built to each verdict's anchor.
  const chainIds = [...new Set(deployed.items.flatMap((t) => (t.chain === null ? [] : [t.chain])))];
  const chains = [];
  for (const id of chainIds.slice(0, 10)) {
    const chain = await lookup.chain(id);
    if (!chain) continue;
    const refs = async (fps: readonly string[]) =>
      Promise.all(fps.map(async (f) => certificateRefJson(f, await lookup.certificate(f))));
    const paths = [];
    for (const verdict of chain.verdicts) {
      paths.push({
        trustStore: verdict.trustStore,
        certificates: await refs(await lookup.path(chain.fingerprints, verdict.anchor)),
      });
    }
    if (paths.length === 0) {
      paths.push({
        trustStore: null,
        certificates: await refs(await lookup.path(chain.fingerprints, null)),
      });
    }
    chains.push({ ...chainJson(chain), sent: await refs(chain.fingerprints), paths });
  }
  // Its history: what the targets serving it saw, newest first.
  const seen = new Set(chainIds);
  const histories = await Promise.all(
    deployed.items.slice(0, 10).map((t) => context.inventory.history(t.key, { limit: 100 })),
  );
  const history = histories
    .flatMap((h) => h.items)
    .filter(
      (s) =>
        (s.chain !== null && seen.has(s.chain)) ||
        (s.previousChain !== null && seen.has(s.previousChain)),
    )
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    .slice(0, 100)
    .map(sightingJson);
  return ok({
    certificate: certificateDetailJson(cert),
    deployments: {
      items: deployed.items.map((t, i) => {
        const s = served[i];
        return targetJson(t, s?.verdict, s?.leaf);
      }),
      nextCursor: deployed.nextCursor,
    },
    chains,
    history,
  });
}

async function usage(
  context: ApiContext,
  search: URLSearchParams,
  fingerprint: string,
): Promise<Answer> {
  const p = new Params(search, PAGE);
  const fp = fingerprintParameter(fingerprint);
  return targetPage(context, await context.inventory.usage(fp, p.page()));
}

async function targetPage(context: ApiContext, page: Page<TargetRecord>): Promise<Answer> {
  const lookup = new Lookup(context.inventory);
  const items = await Promise.all(
    page.items.map(async (t) => {
      const { verdict, leaf } = await lookup.served(t);
      return targetJson(t, verdict, leaf);
    }),
  );
  return ok({ items, nextCursor: page.nextCursor });
}

function targetQuery(search: URLSearchParams): TargetQuery {
  const p = new Params(search, TARGET_FILTERS);
  const servername = p.text('servername');
  return defined({
    ...p.page(),
    job: p.text('job'),
    zone: p.text('zone'),
    address: p.text('address'),
    port: p.integer('port', 1, 65_535),
    servername,
    name: p.text('name'),
  });
}

async function targets(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  return targetPage(context, await context.inventory.targets(targetQuery(search)));
}

async function darkTargets(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  return targetPage(context, await context.inventory.darkTargets(targetQuery(search)));
}

async function target(context: ApiContext, search: URLSearchParams, key: string): Promise<Answer> {
  const p = new Params(search, ['historyLimit', 'historyCursor']);
  const historyLimit = p.integer('historyLimit', 1, 1000) ?? 100;
  const historyCursor = p.text('historyCursor');
  const lookup = new Lookup(context.inventory);
  const record = await context.inventory.target(key);
  if (!record) return notFound('target');
  const { chain, verdict, leaf } = await lookup.served(record);
  let chainBody = null;
  if (chain) {
    const refs = async (fps: readonly string[]) =>
      Promise.all(fps.map(async (f) => certificateRefJson(f, await lookup.certificate(f))));
    chainBody = {
      ...chainJson(chain),
      sent: await refs(chain.fingerprints),
      path: await refs(await lookup.path(chain.fingerprints, verdict?.anchor ?? null)),
    };
  }
  const history = await context.inventory.history(key, {
    limit: historyLimit,
    ...(historyCursor === undefined ? {} : { cursor: historyCursor }),
  });
  return ok({
    target: targetJson(record, verdict, leaf),
    chain: chainBody,
    history: pageJson(history, sightingJson),
  });
}

async function changes(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  const p = new Params(search, ['since', ...PAGE]);
  const since = p.time('since');
  if (since === undefined)
    throw new BadParameter('since', 'since is required: the time to list changes from');
  const page = await context.inventory.changesSince(since, p.page());
  return ok(pageJson(page, sightingJson));
}

async function runs(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  const p = new Params(search, ['job', 'status', 'latest', ...PAGE]);
  const latest = p.integer('latest', 1, 1000);
  const filter = defined({ job: p.text('job'), status: p.runStatus('status') });
  if (latest !== undefined) {
    if (search.has('cursor') || search.has('limit')) {
      throw new BadParameter(
        'latest',
        'latest lists the newest runs in one page: it takes no limit or cursor',
      );
    }
    // Runs are listed oldest first: the newest are the tail of the last pages.
    let tail: RunRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await context.inventory.runs({
        ...filter,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      tail = [...tail, ...page.items].slice(-latest);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ok({ items: tail.reverse().map(runJson), nextCursor: null });
  }
  const page = await context.inventory.runs({ ...filter, ...p.page() });
  return ok(pageJson(page, runJson));
}

async function run(context: ApiContext, search: URLSearchParams, id: string): Promise<Answer> {
  new Params(search, []);
  const found = await findRun(context.inventory, id);
  return found ? ok(runJson(found)) : notFound('run');
}

/** A run by id: the inventory lists runs by id, so the page after the one before it. */
async function findRun(inventory: Inventory, id: string) {
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await inventory.runs({ limit: 1000, ...(cursor ? { cursor } : {}) });
    const found = page.items.find((r) => r.id === id);
    if (found) return found;
    if (page.nextCursor === null) return undefined;
    cursor = page.nextCursor;
  }
  return undefined;
}

function aggregateOptions(p: Params) {
  return defined({
    at: p.time('at'),
    includeCas: p.boolean('includeCas'),
    includeUnused: p.boolean('includeUnused'),
  });
}

async function aggregates(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  const p = new Params(search, ['at', 'weeks', 'includeCas', 'includeUnused']);
  const options = { ...aggregateOptions(p), ...defined({ weeks: p.integer('weeks', 0, 520) }) };
  const at = options.at ?? Date.now();
  const result = await context.inventory.aggregates({ ...options, at });
  return ok({ at: iso(at), ...result });
}

async function timelineEndpoint(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  const p = new Params(search, ['at', 'weeks']);
  const at = p.time('at') ?? Date.now();
  const weeks = p.integer('weeks', 1, 104) ?? 52;
  return ok(await timeline(context.inventory, at, weeks));
}

async function problems(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  new Params(search, []);
  return ok(await problemCounts(context.inventory, context.problemTargets));
}

async function counts(context: ApiContext, search: URLSearchParams): Promise<Answer> {
  new Params(search, []);
  return ok(await context.inventory.counts());
}

/** `value` without its `undefined` fields (the inventory's options are exact). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
