import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { type Page, type Run, watchRuns } from './api.js';
import { dateTime, number } from './format.js';
import { useApi } from './use-api.js';
import { Pager, Show } from './widgets.js';

function Progress({ run }: { run: Run }) {
  const label =
    run.total === null ? `${number(run.done)} done` : `${number(run.done)} of ${number(run.total)}`;
  return html`<span class="progress">
    ${run.progress === null ? html`<progress aria-label=${`${run.job}: ${label}`}></progress>` : html`<progress max="100" value=${Math.round(run.progress * 100)} aria-label=${`${run.job}: ${label}`}></progress>`}
    <span>${label}</span></span>`;
}

export function Runs() {
  const [cursors, setCursors] = useState<string[]>([]);
  const [live, setLive] = useState<Run[] | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const page = useApi<Page<Run>>('runs', { limit: 50, cursor: cursors.at(-1) }, tick);
  useEffect(() => {
    const stop = new AbortController();
    let last = '';
    watchRuns((data) => {
      setLive(data.running);
      const ids = data.running.map((r) => r.id).join();
      // A run started or ended: the list below changed too.
      if (ids !== last) {
        last = ids;
        setTick((t) => t + 1);
      }
    }, stop.signal).catch(() => undefined);
    return () => stop.abort();
  }, []);
  return html`<h1>Runs</h1>
    <section aria-labelledby="running-title" aria-live="polite">
      <h2 id="running-title">Running now</h2>
      ${
        live === undefined
          ? html`<p role="status">Connecting…</p>`
          : live.length === 0
            ? html`<p>Nothing is running.</p>`
            : html`<ul class="plain running">
        ${live.map(
          (
            run,
          ) => html`<li data-run=${run.id}><strong>${run.job}</strong> (${run.mode}, ${run.zone}) <${Progress} run=${run} />
          <span class="muted">${number(run.succeeded)} ok, ${number(run.failed)} failed</span></li>`,
        )}
      </ul>`
      }
    </section>
    <${Show} loaded=${page} what="runs" body=${(p: Page<Run>) => html`
      <table class="list">
        <caption>Runs, oldest first</caption>
        <thead><tr><th scope="col">Job</th><th scope="col">Mode</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Results</th></tr></thead>
        <tbody>
          ${p.items.length === 0 ? html`<tr><td colspan="6">No runs recorded.</td></tr>` : ''}
          ${p.items.map(
            (
              run,
            ) => html`<tr><td>${run.job}</td><td>${run.mode}</td><td><span class=${`badge status-${run.status}`}>${run.status}</span></td>
              <td>${dateTime(run.startedAt)}</td><td>${dateTime(run.endedAt)}</td>
              <td>${number(run.done)} (${number(run.succeeded)} ok, ${number(run.failed)} failed)</td></tr>`,
          )}
        </tbody>
      </table>
      <${Pager} cursors=${cursors} next=${p.nextCursor} onChange=${setCursors} label="Runs" />`} />`;
}
