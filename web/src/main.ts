// The dashboard: a header with the sections, the view the route names, and a token form
// when the API asks for one.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setToken, token } from './api.js';
import { CertificatePage } from './certificate.js';
import { Certificates } from './certificates.js';
import { Overview } from './overview.js';
import { type Route, useRoute } from './router.js';
import { Runs } from './runs.js';
import { TargetPage, Targets } from './targets.js';

const SECTIONS: [string, string][] = [
  ['', 'Overview'],
  ['certificates', 'Certificates'],
  ['targets', 'Targets'],
  ['dark', 'Dark targets'],
  ['runs', 'Runs'],
];

function TokenForm({ onDone }: { onDone: () => void }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const value = String(new FormData(event.target as HTMLFormElement).get('token') ?? '').trim();
    setToken(value || null);
    onDone();
  };
  return html`<form class="token" onSubmit=${submit} aria-labelledby="token-title">
    <h1 id="token-title">This dashboard needs a token</h1>
    <p>${token() ? 'The token given was refused. ' : ''}Enter the bearer token the server was started with.</p>
    <label>Token <input name="token" type="password" autocomplete="current-password" required autofocus /></label>
    <button type="submit">Continue</button>
  </form>`;
}

function View({ route }: { route: Route }) {
  switch (route.name) {
    case '':
      return html`<${Overview} />`;
    case 'certificates':
      return html`<${Certificates} route=${route} />`;
    case 'certificate':
      return html`<${CertificatePage} fingerprint=${route.arg} key=${route.arg} />`;
    case 'targets':
      return html`<${Targets} route=${route} dark=${false} />`;
    case 'dark':
      return html`<${Targets} route=${route} dark=${true} />`;
    case 'target':
      return html`<${TargetPage} targetKey=${route.arg} key=${route.arg} />`;
    case 'runs':
      return html`<${Runs} />`;
    default:
      return html`<h1>Not found</h1><p>There is no such page. <a href="#/">Back to the overview</a>.</p>`;
  }
}

function App() {
  const route = useRoute();
  const [locked, setLocked] = useState(false);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const onUnauthorized = () => setLocked(true);
    addEventListener('certsweep:unauthorized', onUnauthorized);
    return () => removeEventListener('certsweep:unauthorized', onUnauthorized);
  }, []);
  const [first, setFirst] = useState(true);
  useEffect(() => {
    // On a new page, focus moves to its content, so keyboard and screen reader users land there.
    if (first) setFirst(false);
    else document.getElementById('main')?.focus();
  }, [route.name, route.arg]);
  return html`<header class="top">
      <a class="brand" href="#/">certsweep</a>
      <nav aria-label="Sections"><ul>
        ${SECTIONS.map(
          ([name, label]) =>
            html`<li><a href=${`#/${name}`} aria-current=${route.name === name ? 'page' : undefined}>${label}</a></li>`,
        )}
      </ul></nav>
    </header>
    <main id="main" tabindex="-1">
      ${
        locked
          ? html`<${TokenForm} onDone=${() => {
              setLocked(false);
              setGeneration((g) => g + 1);
            }} />`
          : html`<${View} route=${route} key=${`${generation}:${route.name}`} />`
      }
    </main>`;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
