import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { CertificateRef, Page, Sighting, Target } from './api.js';
import { History } from './certificate.js';
import { dateTime, targetName } from './format.js';
import { href, navigate, type Route } from './router.js';
import { useApi } from './use-api.js';
import { Badge, CertLink, CertList, Pager, Show } from './widgets.js';

const FILTERS = ['name', 'address', 'port', 'job', 'zone'];

export function Targets({ route, dark }: { route: Route; dark: boolean }) {
  const params: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = route.params.get(name);
    if (value) params[name] = value;
  }
  const key = JSON.stringify(params);
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [key, dark]);
  const page = useApi<Page<Target>>(dark ? 'dark-targets' : 'targets', {
    ...params,
    limit: Number(route.params.get('limit')) || 50,
    cursor: cursors.at(-1),
  });
  const routeName = dark ? 'dark' : 'targets';
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next[name] = value;
    }
    navigate(href(routeName, undefined, next));
  };
  return html`<h1>${dark ? 'Dark targets' : 'Targets'}</h1>
    ${dark ? html`<p>Targets that answered before and fail now.</p>` : ''}
    <form class="filters" role="search" aria-label="Filter targets" onSubmit=${submit}>
      ${FILTERS.map(
        (
          name,
        ) => html`<label>${name === 'name' ? 'Host or SNI name' : name[0]?.toUpperCase() + name.slice(1)}
          <input name=${name} type=${name === 'port' ? 'number' : 'text'} value=${params[name] ?? ''} /></label>`,
      )}
      <button type="submit">Search</button>
      <a href=${href(routeName)}>Clear</a>
    </form>
    <${Show} loaded=${page} what="targets" body=${(p: Page<Target>) => html`
      <table class="list">
        <caption>${dark ? 'Dark targets' : 'Targets'}, by key</caption>
        <thead><tr><th scope="col">Target</th><th scope="col">Last outcome</th><th scope="col">TLS</th><th scope="col">Verdict</th><th scope="col">Certificate</th></tr></thead>
        <tbody>
          ${p.items.length === 0 ? html`<tr><td colspan="5">No target matches.</td></tr>` : ''}
          ${p.items.map(
            (t) => html`<tr>
              <td><a href=${href('target', t.key)}>${targetName(t)}</a></td>
              <td>${t.outcome}${t.lastError ? ` (${t.lastError})` : ''}<div class="muted">${dateTime(t.lastScanned)}</div></td>
              <td>${t.protocol ?? '—'}<div class="muted">${t.cipher ?? ''}</div></td>
              <td><${Badge} ok=${t.verdict?.valid} yes="valid" no="invalid" /></td>
              <td>${t.leaf?.known ? html`<${CertLink} cert=${t.leaf} text=${t.leaf.subject || '(empty subject)'} />` : '—'}
                ${t.leaf?.notAfter ? html`<div class="muted">until ${t.leaf.notAfter.slice(0, 10)}</div>` : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <${Pager} cursors=${cursors} next=${p.nextCursor} onChange=${setCursors} label="Targets" />`} />`;
}

interface TargetDetail {
  target: Target;
  chain: null | { id: string; sent: CertificateRef[]; path: CertificateRef[] };
  history: Page<Sighting>;
}

export function TargetPage({ targetKey }: { targetKey: string }) {
  const detail = useApi<TargetDetail>(`targets/${encodeURIComponent(targetKey)}`);
  return html`<${Show} loaded=${detail} what="the target" body=${(d: TargetDetail) => {
    const t = d.target;
    return html`<h1>${targetName(t)}</h1>
      <dl class="facts">
        <dt>Zone</dt><dd>${t.zone}</dd>
        <dt>Host</dt><dd>${t.host}</dd>
        <dt>Address</dt><dd>${t.address} port ${t.port}</dd>
        <dt>SNI name</dt><dd>${t.servername ?? 'none'}</dd>
        <dt>Job</dt><dd>${t.job ?? '—'}</dd>
        <dt>Last outcome</dt><dd>${t.outcome}${t.lastError ? ` (${t.lastError}, ${t.consecutiveFailures} in a row)` : ''}</dd>
        <dt>Last scanned</dt><dd>${dateTime(t.lastScanned)}; last success ${dateTime(t.lastSuccess)}</dd>
        <dt>TLS</dt><dd>${t.protocol ?? '—'} ${t.cipher ?? ''}${t.alpn ? `, ALPN ${t.alpn}` : ''}${t.starttls ? `, STARTTLS ${t.starttls}` : ''}${t.ocspStapled ? ', OCSP stapled' : ''}</dd>
        <dt>Verdict</dt><dd><${Badge} ok=${t.verdict?.valid} yes="valid" no="invalid" />
          ${t.verdict ? ` against ${t.verdict.trustStore}${t.verdict.problems.length ? `: ${t.verdict.problems.join(', ')}` : ''}` : ''}
          ${t.nameCheck ? html`<div class="muted">name ${t.nameCheck.hostname} ${t.nameCheck.matched ? 'matches' : 'does not match'}</div>` : ''}</dd>
      </dl>
      ${
        d.chain
          ? html`<div class="chain-pair">
            <div><h2>Chain as sent</h2><${CertList} certs=${d.chain.sent} label="chain as sent" /></div>
            <div><h2>Path built</h2><${CertList} certs=${d.chain.path} label="path built" /></div>
          </div>`
          : html`<p>Never reached: no chain recorded.</p>`
      }
      <h2>History</h2>
      <${History} items=${d.history.items} />`;
  }} />`;
}
