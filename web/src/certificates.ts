import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { Certificate, Page } from './api.js';
import { keyText, short } from './format.js';
import { href, navigate, type Route } from './router.js';
import { useApi } from './use-api.js';
import { CertLink, ExpiryBar, Pager, Show } from './widgets.js';

const FILTERS = [
  'subject',
  'issuer',
  'san',
  'keyAlgorithm',
  'keyBits',
  'signatureAlgorithm',
  'trusted',
  'expiringBefore',
  'inUse',
  'ca',
];

export function Certificates({ route }: { route: Route }) {
  const params: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = route.params.get(name);
    if (value) params[name] = value;
  }
  const key = JSON.stringify(params);
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [key]);
  const cursor = cursors.at(-1);
  const limit = Number(route.params.get('limit')) || 50;
  const page = useApi<Page<Certificate>>('certificates', { ...params, limit, cursor });

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next[name] = value;
    }
    navigate(href('certificates', undefined, next));
  };
  const field = (name: string, label: string, type = 'text') =>
    html`<label>${label}<input name=${name} type=${type} value=${params[name] ?? ''} /></label>`;
  const select = (name: string, label: string, options: [string, string][]) =>
    html`<label>${label}<select name=${name} value=${params[name] ?? ''}>
      ${options.map(([value, text]) => html`<option value=${value} selected=${(params[name] ?? '') === value}>${text}</option>`)}
    </select></label>`;

  return html`<h1>Certificates</h1>
    <form class="filters" role="search" aria-label="Filter certificates" onSubmit=${submit}>
      ${field('subject', 'Subject contains')}
      ${field('issuer', 'Issuer contains')}
      ${field('san', 'Name (SAN)')}
      ${select('keyAlgorithm', 'Key', [
        ['', 'any'],
        ['rsa', 'RSA'],
        ['ec', 'EC'],
        ['ed25519', 'Ed25519'],
        ['dsa', 'DSA'],
      ])}
      ${field('keyBits', 'Key bits', 'number')}
      ${field('signatureAlgorithm', 'Signature algorithm')}
      ${select('trusted', 'Trust', [
        ['', 'any'],
        ['true', 'trusted'],
        ['false', 'untrusted'],
      ])}
      ${field('expiringBefore', 'Expiring before', 'date')}
      ${select('inUse', 'In use', [
        ['', 'any'],
        ['true', 'in use'],
        ['false', 'not in use'],
      ])}
      ${select('ca', 'CA', [
        ['', 'any'],
        ['false', 'not a CA'],
        ['true', 'CA'],
      ])}
      <button type="submit">Search</button>
      <a href=${href('certificates')}>Clear</a>
    </form>
    <${Show} loaded=${page} what="certificates" body=${(p: Page<Certificate>) => html`
      <table class="list">
        <caption>Certificates, soonest expiry first</caption>
        <thead><tr><th scope="col">Subject</th><th scope="col">Issuer</th><th scope="col">Names</th><th scope="col">Key</th><th scope="col">Expiry</th></tr></thead>
        <tbody>
          ${p.items.length === 0 ? html`<tr><td colspan="5">No certificate matches.</td></tr>` : ''}
          ${p.items.map(
            (c) => html`<tr>
              <td><${CertLink} cert=${c} text=${c.subjectCommonName ?? (c.subject || '(empty subject)')} /></td>
              <td>${short(c.issuerCommonName ?? c.issuer, 60)}</td>
              <td>${short([...c.dnsNames, ...c.ipAddresses].join(', '), 80)}</td>
              <td>${keyText(c)}</td>
              <td><${ExpiryBar} notBefore=${c.notBefore} notAfter=${c.notAfter} /></td>
            </tr>`,
          )}
        </tbody>
      </table>
      <${Pager} cursors=${cursors} next=${p.nextCursor} onChange=${setCursors} label="Certificates" />`} />`;
}
