// Hash routes: #/certificates?issuer=…, #/certificate/<fingerprint>, #/target/<key>, …
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** First path segment: '', 'certificates', 'certificate', 'targets', 'target', 'dark', 'runs'. */
  name: string;
  /** The rest of the path, decoded (a fingerprint, a target key). */
  arg: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const slash = path.indexOf('/');
  const name = slash < 0 ? path : path.slice(0, slash);
  let arg = slash < 0 ? '' : path.slice(slash + 1);
  try {
    arg = decodeURIComponent(arg);
  } catch {
    arg = '';
  }
  return { name, arg, params: new URLSearchParams(q < 0 ? '' : text.slice(q + 1)) };
}

/** A link to a route: `#/name/arg?params`, every part encoded. */
export function href(
  name: string,
  arg?: string,
  params?: Record<string, string | number | boolean | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {}))
    if (v !== undefined && v !== '') search.set(k, String(v));
  const query = search.toString();
  return `#/${name}${arg === undefined ? '' : `/${encodeURIComponent(arg)}`}${query ? `?${query}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(to: string): void {
  location.hash = to.slice(1);
}
