import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { CertificateDetail, ChainSent, Page, Sighting, Target } from './api.js';
import { dateTime, keyText, targetName } from './format.js';
import { explain } from './problems.js';
import { href } from './router.js';
import { useApi } from './use-api.js';
import { Badge, CertList, ExpiryBar, Pager, Show } from './widgets.js';

interface Detail {
  certificate: CertificateDetail;
  deployments: Page<Target>;
  chains: ChainSent[];
  history: Sighting[];
}

export function Problems({ codes }: { codes: string[] }) {
  if (codes.length === 0) return html`<p>No problems.</p>`;
  return html`<dl class="problems">
    ${codes.map((code) => html`<dt><code>${code}</code></dt><dd>${explain(code)}</dd>`)}
  </dl>`;
}

export function History({ items }: { items: Sighting[] }) {
  if (items.length === 0) return html`<p>No history recorded.</p>`;
  return html`<table class="list">
    <caption>History, newest first</caption>
    <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Target</th><th scope="col">Job</th></tr></thead>
    <tbody>
      ${items.map(
        (
          s,
        ) => html`<tr><td>${dateTime(s.at)}</td><td>${s.kind}${s.error ? ` (${s.error})` : ''}</td>
          <td><a href=${href('target', s.target)}>${targetName({ ...s, zone: 'default' })}</a></td><td>${s.job ?? '—'}</td></tr>`,
      )}
    </tbody>
  </table>`;
}

export function Deployments({ fingerprint, first }: { fingerprint: string; first: Page<Target> }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const more = useApi<Page<Target>>(
    cursor === undefined ? null : `certificates/${fingerprint}/usage`,
    { cursor, limit: 50 },
  );
  const page = cursor === undefined ? first : more.data;
  if (!page) return html`<p role="status">Loading…</p>`;
  return html`<table class="list">
      <caption>Targets serving it</caption>
      <thead><tr><th scope="col">Target</th><th scope="col">Verdict</th><th scope="col">TLS</th><th scope="col">Last scanned</th></tr></thead>
      <tbody>
        ${page.items.length === 0 ? html`<tr><td colspan="4">No target serves it now.</td></tr>` : ''}
        ${page.items.map(
          (t) => html`<tr>
            <td><a href=${href('target', t.key)}>${targetName(t)}</a></td>
            <td><${Badge} ok=${t.verdict?.valid} yes="valid" no="invalid" /></td>
            <td>${t.protocol ?? '—'} ${t.cipher ?? ''}</td>
            <td>${dateTime(t.lastScanned)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} cursors=${cursors} next=${page.nextCursor} onChange=${setCursors} label="Deployments" />`;
}

export function CertificatePage({ fingerprint }: { fingerprint: string }) {
  const detail = useApi<Detail>(`certificates/${encodeURIComponent(fingerprint)}`);
  return html`<${Show} loaded=${detail} what="the certificate" body=${(d: Detail) => {
    const c = d.certificate;
    const problems = [
      ...new Set(d.chains.flatMap((chain) => chain.verdicts.flatMap((v) => v.problems))),
    ].sort();
    return html`<h1 class="subject">${c.subjectCommonName ?? (c.subject || '(empty subject)')}</h1>
      <section aria-labelledby="cert-facts">
        <h2 id="cert-facts">Certificate</h2>
        <dl class="facts">
          <dt>Subject</dt><dd class="long" tabindex="0" data-field="subject">${c.subject}</dd>
          <dt>Issuer</dt><dd class="long" tabindex="0" data-field="issuer">${c.issuer}</dd>
          <dt>Names</dt><dd><ul class="names" tabindex="0" aria-label="Subject alternative names" data-field="names">${[...c.dnsNames, ...c.ipAddresses].map((n) => html`<li>${n}</li>`)}</ul></dd>
          <dt>Validity</dt><dd>${dateTime(c.notBefore)} to ${dateTime(c.notAfter)}<br /><${ExpiryBar} notBefore=${c.notBefore} notAfter=${c.notAfter} /></dd>
          <dt>Key</dt><dd>${keyText(c)}</dd>
          <dt>Signature</dt><dd>${c.signatureAlgorithm}</dd>
          <dt>Serial number</dt><dd><code>${c.serialNumber}</code></dd>
          <dt>SHA-256</dt><dd><code data-field="sha256">${c.fingerprint}</code></dd>
          <dt>SHA-1</dt><dd><code>${c.sha1}</code></dd>
          <dt>Kind</dt><dd>${c.isCA ? 'CA' : 'end entity'}${c.selfIssued ? ', self-issued' : ''}${c.trustAnchor ? ', trust anchor' : ''}</dd>
          <dt>Revocation</dt><dd>${c.revocation ? `${c.revocation.status}${c.revocation.source ? ` (${c.revocation.source})` : ''}, checked ${dateTime(c.revocation.checkedAt)}${c.revocation.reason ? `, ${c.revocation.reason}` : ''}` : 'not checked'}</dd>
          <dt>Seen</dt><dd>${dateTime(c.firstSeen)} to ${dateTime(c.lastSeen)}</dd>
        </dl>
        <details><summary>PEM</summary><pre>${c.pem}</pre></details>
      </section>
      <section aria-labelledby="cert-problems">
        <h2 id="cert-problems">Problems</h2>
        <${Problems} codes=${problems} />
      </section>
      <section aria-labelledby="cert-chains">
        <h2 id="cert-chains">Chains</h2>
        ${d.chains.length === 0 ? html`<p>Not served in any chain now.</p>` : ''}
        ${d.chains.map(
          (chain, i) => html`<div class="chain-pair">
            <div><h3>Chain ${i + 1} as sent</h3><${CertList} certs=${chain.sent} label=${`chain ${i + 1} as sent`} /></div>
            ${chain.paths.map(
              (
                path,
              ) => html`<div><h3>Path built${path.trustStore ? ` (${path.trustStore})` : ''}</h3>
                <${CertList} certs=${path.certificates} label=${`path built for chain ${i + 1}`} />
                ${chain.verdicts
                  .filter((v) => v.trustStore === path.trustStore)
                  .map(
                    (v) =>
                      html`<p><${Badge} ok=${v.valid} yes="valid" no="invalid" /> ${v.problems.join(', ')}</p>`,
                  )}</div>`,
            )}
          </div>`,
        )}
      </section>
      <section aria-labelledby="cert-deployed">
        <h2 id="cert-deployed">Where it is deployed</h2>
        <${Deployments} fingerprint=${c.fingerprint} first=${d.deployments} />
      </section>
      <section aria-labelledby="cert-history">
        <h2 id="cert-history">History</h2>
        <${History} items=${d.history} />
      </section>`;
  }} />`;
}
