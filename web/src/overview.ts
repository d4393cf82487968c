import { html } from 'htm/preact';
import type { Aggregates, Page, Problems, Run, Target, Timeline } from './api.js';
import { Bars, Donut, TimelineChart } from './charts.js';
import { dateTime, number, targetName } from './format.js';
import { href } from './router.js';
import { useApi } from './use-api.js';
import { Show } from './widgets.js';

/** What an aggregate slice lists: server certificates in use, as the aggregates count them. */
const COUNTED = { ca: false, inUse: true };

function keyLink(key: string): string {
  const [algorithm, size] = key.split(' ');
  const curve = /^P-(\d+)$/.exec(size ?? '');
  const bits = curve ? curve[1] : size && /^\d+$/.test(size) ? size : undefined;
  return href('certificates', undefined, { ...COUNTED, keyAlgorithm: algorithm, keyBits: bits });
}

export function Overview() {
  const aggregates = useApi<Aggregates>('aggregates');
  const timeline = useApi<Timeline>('timeline');
  const problems = useApi<Problems>('problems');
  const dark = useApi<Page<Target>>('dark-targets', { limit: 10 });
  const runs = useApi<Page<Run>>('runs', { latest: 10 });
  return html`<h1>Overview</h1>
    <section aria-labelledby="charts-title">
      <h2 id="charts-title">Server certificates in use</h2>
      <${Show} loaded=${aggregates} what="the counts" body=${(a: Aggregates) => html`
        <p class="summary"><strong data-total=${a.total}>${number(a.total)}</strong>${' certificates, '}
          <a href=${href('certificates', undefined, { ...COUNTED, expiringBefore: new Date().toISOString().slice(0, 10) })}>${number(a.expired)} expired</a></p>
        <div class="donuts">
          <${Donut} title="Issuing CA" counts=${a.byIssuer} link=${(k: string) => href('certificates', undefined, { ...COUNTED, issuer: k })} />
          <${Donut} title="Key type and size" counts=${a.byKey} link=${keyLink} />
          <${Donut} title="Signature algorithm" counts=${a.bySignature}
            link=${(k: string) => href('certificates', undefined, { ...COUNTED, signatureAlgorithm: k })} />
          <${Donut} title="Lifetime" counts=${a.byLifetime} link=${() => undefined} />
        </div>`} />
    </section>
    <section aria-labelledby="timeline-section">
      <h2 id="timeline-section">Expiry timeline</h2>
      <${Show} loaded=${timeline} what="the timeline" body=${(
        t: Timeline,
      ) => html`<${TimelineChart} timeline=${t}
        link=${(end: string) => href('certificates', undefined, { ...COUNTED, expiringBefore: end })} />`} />
    </section>
    <div class="columns">
      <section aria-labelledby="problems-title">
        <h2 id="problems-title">Chains by problem</h2>
        <${Show} loaded=${problems} what="the problems" body=${(p: Problems) => html`
          <p><span data-invalid=${p.invalidChains}>${number(p.invalidChains)}</span> invalid chains, ${number(p.invalidTargets)} targets
            with an invalid verdict, ${number(p.nameMismatches)} name mismatches${p.complete ? '' : ` (first ${number(p.walked ?? 0)} targets)`}.</p>
          <${Bars} counts=${p.byProblem} label="Chains by problem" />`} />
      </section>
      <section aria-labelledby="dark-title">
        <h2 id="dark-title">Dark targets</h2>
        <${Show} loaded=${dark} what="the dark targets" body=${(d: Page<Target>) =>
          d.items.length === 0
            ? html`<p>None: every target that answered before still answers.</p>`
            : html`<ul class="plain">${d.items.map(
                (t) =>
                  html`<li><a href=${href('target', t.key)}>${targetName(t)}</a> <span class="muted">${t.lastError}, ${t.consecutiveFailures} failures</span></li>`,
              )}</ul><p><a href=${href('dark')}>All dark targets</a></p>`} />
      </section>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Last runs</h2>
        <${Show} loaded=${runs} what="the runs" body=${(r: Page<Run>) =>
          r.items.length === 0
            ? html`<p>No runs recorded.</p>`
            : html`<ul class="plain">${r.items.map(
                (
                  run,
                ) => html`<li>${run.job} <span class=${`badge status-${run.status}`}>${run.status}</span>
                  <span class="muted">${dateTime(run.startedAt)}, ${number(run.succeeded)} ok / ${number(run.failed)} failed</span></li>`,
              )}</ul><p><a href=${href('runs')}>All runs</a></p>`} />
      </section>
    </div>`;
}
