// Charts drawn as SVG by the page itself: a donut with a legend of links, and the expiry
// timeline as stacked weekly bars with its numbers in a table. Colours come from classes in
// the style sheet (no inline style), every label is a text node.
import { html } from 'htm/preact';
import type { Count, Timeline } from './api.js';
import { number, short } from './format.js';

const SLICES = 7;

/** The biggest `SLICES - 1` counts and the rest as one "other" slice. */
function slices(counts: Count[]): { key: string; count: number; other: boolean }[] {
  if (counts.length <= SLICES) return counts.map((c) => ({ ...c, other: false }));
  const top = counts.slice(0, SLICES - 1).map((c) => ({ ...c, other: false }));
  const rest = counts.slice(SLICES - 1).reduce((sum, c) => sum + c.count, 0);
  return [...top, { key: `${counts.length - SLICES + 1} others`, count: rest, other: true }];
}

export function Donut({
  title,
  counts,
  link,
}: {
  title: string;
  counts: Count[];
  /** Where a slice's certificates are listed, or undefined when they cannot be. */
  link: (key: string) => string | undefined;
}) {
  const parts = slices(counts);
  const total = parts.reduce((sum, p) => sum + p.count, 0);
  const r = 60;
  const circumference = 2 * Math.PI * r;
  let offset = 0;
  const id = `donut-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return html`<figure class="donut" aria-labelledby=${id}>
    <figcaption id=${id}>${title}</figcaption>
    <svg viewBox="0 0 160 160" width="160" height="160" aria-hidden="true" focusable="false">
      <circle class="donut-hole" cx="80" cy="80" r=${r} fill="none" stroke-width="28" />
      ${parts.map((p, i) => {
        const length = total === 0 ? 0 : (p.count / total) * circumference;
        const slice = html`<circle class=${`slice slice-${i}`} cx="80" cy="80" r=${r} fill="none" stroke-width="28"
          stroke-dasharray=${`${length} ${circumference - length}`} stroke-dashoffset=${-offset}
          transform="rotate(-90 80 80)"><title>${p.key}: ${number(p.count)}</title></circle>`;
        offset += length;
        return slice;
      })}
      <text x="80" y="86" text-anchor="middle" class="donut-total">${number(total)}</text>
    </svg>
    <ul class="legend">
      ${parts.map((p, i) => {
        const to = p.other ? undefined : link(p.key);
        const label = short(p.key, 60);
        return html`<li>
          <span class=${`swatch slice-${i}`} aria-hidden="true"></span>
          ${to ? html`<a href=${to} data-key=${p.key}>${label}</a>` : html`<span data-key=${p.key}>${label}</span>`}
          <span class="count" data-count=${p.count}>${number(p.count)}</span>
        </li>`;
      })}
    </ul>
  </figure>`;
}

export function TimelineChart({
  timeline,
  link,
}: {
  timeline: Timeline;
  link: (weekEnd: string) => string;
}) {
  const weeks = timeline.weeks;
  const max = Math.max(1, ...weeks.map((w) => w.total));
  const width = 1000;
  const height = 180;
  const bar = width / Math.max(1, weeks.length);
  const y = (n: number) => (n / max) * (height - 20);
  return html`<figure class="timeline" aria-labelledby="timeline-title">
    <figcaption id="timeline-title">
      Expiring per week, next ${weeks.length} weeks (server certificates in use; ${number(timeline.expired)}${' already expired, '}${number(timeline.later)} later)
    </figcaption>
    <svg viewBox=${`0 0 ${width} ${height + 20}`} class="timeline-chart" aria-hidden="true" focusable="false" preserveAspectRatio="none">
      ${weeks.map((w, i) => {
        const good = y(w.trustedOrUnverified);
        const bad = y(w.untrusted);
        return html`<g>
          <title>${`week of ${w.week}: ${w.total} (${w.untrusted} untrusted)`}</title>
          <rect class="bar-good" x=${i * bar + 1} width=${Math.max(1, bar - 2)} y=${height - good} height=${good} />
          <rect class="bar-bad" x=${i * bar + 1} width=${Math.max(1, bar - 2)} y=${height - good - bad} height=${bad} />
          ${i % 4 === 0 ? html`<text class="axis" x=${i * bar + 1} y=${height + 14}>${w.week.slice(5)}</text>` : ''}
        </g>`;
      })}
    </svg>
    <p class="key"><span class="swatch bar-good" aria-hidden="true"></span> trusted or not verified
      <span class="swatch bar-bad" aria-hidden="true"></span> untrusted</p>
    <details>
      <summary>Timeline as a table</summary>
      <table class="timeline-table">
        <caption>Certificates expiring per week</caption>
        <thead><tr><th scope="col">Week of</th><th scope="col">Total</th><th scope="col">Untrusted</th><th scope="col">Trusted or not verified</th></tr></thead>
        <tbody>
          ${weeks.map((w) => {
            const end = new Date(Date.parse(w.week) + 7 * 86_400_000).toISOString().slice(0, 10);
            return html`<tr data-week=${w.week}>
              <th scope="row"><a href=${link(end)}>${w.week}</a></th>
              <td data-total=${w.total}>${number(w.total)}</td><td>${number(w.untrusted)}</td><td>${number(w.trustedOrUnverified)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </details>
  </figure>`;
}

/** Horizontal bars with their numbers: invalid chains by problem. */
export function Bars({
  counts,
  label,
  link,
}: {
  counts: Count[];
  label: string;
  link?: (key: string) => string;
}) {
  const max = Math.max(1, ...counts.map((c) => c.count));
  if (counts.length === 0) return html`<p>None.</p>`;
  return html`<ul class="bars" aria-label=${label}>
    ${counts.map(
      (c) => html`<li>
        <span class="bar-label">${link ? html`<a href=${link(c.key)}>${c.key}</a>` : c.key}</span>
        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <rect x="0" y="0" height="10" width=${(c.count / max) * 100} />
        </svg>
        <span class="count" data-count=${c.count}>${number(c.count)}</span>
      </li>`,
    )}
  </ul>`;
}
