// Small pieces the views share: loading and error states, pagers, expiry bars, links.
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import type { CertificateRef } from './api.js';
import { date, daysLeft, expiryClass, relative, short } from './format.js';
import { href } from './router.js';
import type { Loaded } from './use-api.js';

/** Renders `body(data)` once loaded, a status line before, the error if it failed. */
export function Show<T>({
  loaded,
  body,
  what,
}: {
  loaded: Loaded<T>;
  body: (data: T) => ComponentChildren;
  what: string;
}) {
  if (loaded.error) {
    return html`<p class="error" role="alert">Could not load ${what}: ${loaded.error.message}</p>`;
  }
  if (loaded.data === undefined) return html`<p class="loading" role="status">Loading ${what}…</p>`;
  return html`${body(loaded.data)}`;
}

/**
 * Cursor paging: "First" and "Next", and "Previous" from the cursors visited (a cursor is a
 * position, so going back is going to the cursor of the page before).
 */
export function Pager({
  cursors,
  next,
  onChange,
  label,
}: {
  cursors: string[];
  next: string | null;
  onChange: (cursors: string[]) => void;
  label: string;
}) {
  return html`<nav class="pager" aria-label=${`${label} pages`}>
    <button type="button" disabled=${cursors.length === 0} onClick=${() => onChange([])}>First</button>
    <button type="button" disabled=${cursors.length === 0} onClick=${() => onChange(cursors.slice(0, -1))}>Previous</button>
    <span aria-live="polite">Page ${cursors.length + 1}</span>
    <button type="button" disabled=${next === null} onClick=${() => next !== null && onChange([...cursors, next])}>Next</button>
  </nav>`;
}

/** Where validity stands: a meter from notBefore to notAfter at now, and the days left. */
export function ExpiryBar({ notBefore, notAfter }: { notBefore: string; notAfter: string }) {
  const start = Date.parse(notBefore);
  const end = Date.parse(notAfter);
  const now = Math.min(Math.max(Date.now(), start), end);
  const left = daysLeft(notAfter);
  const text = left < 0 ? `expired ${relative(notAfter)}` : `expires ${relative(notAfter)}`;
  return html`<span class=${`expiry ${expiryClass(notAfter)}`}>
    <meter min="0" max="100" low="75" high="90" optimum="0" value=${end > start ? Math.round(((now - start) / (end - start)) * 100) : 100}
      aria-label=${`validity used: ${text}`}></meter>
    <span>${date(notAfter)} (${text})</span>
  </span>`;
}

export function CertLink({ cert, text }: { cert: { fingerprint: string }; text: string }) {
  return html`<a href=${href('certificate', cert.fingerprint)}>${short(text)}</a>`;
}

/** A chain or a path: each certificate linked, with who issued it. */
export function CertList({ certs, label }: { certs: CertificateRef[]; label: string }) {
  return html`<ol class="chain" aria-label=${label}>
    ${certs.map(
      (c) => html`<li>
        ${c.known ? html`<${CertLink} cert=${c} text=${c.subject || '(empty subject)'} />` : html`<span>unknown certificate ${c.fingerprint.slice(0, 16)}…</span>`}
        ${c.trustAnchor ? html` <span class="badge">trust anchor</span>` : ''}
        ${c.isCA === false ? html` <span class="badge">leaf</span>` : ''}
        ${c.issuer ? html`<div class="muted">issued by ${short(c.issuer)}</div>` : ''}
        ${c.notAfter ? html`<div class="muted">until ${date(c.notAfter)}</div>` : ''}
      </li>`,
    )}
  </ol>`;
}

export function Badge({
  ok,
  yes,
  no,
}: {
  ok: boolean | null | undefined;
  yes: string;
  no: string;
}) {
  if (ok === null || ok === undefined) return html`<span class="badge">not verified</span>`;
  return html`<span class=${`badge ${ok ? 'good' : 'bad'}`}>${ok ? yes : no}</span>`;
}
