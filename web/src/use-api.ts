import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
}

/**
 * Fetches `api/<path>` whenever the path, the parameters or `refresh` change. What was loaded
 * for other ones is never returned, so a view never shows the previous page under the new
 * page's controls.
 */
export function useApi<T>(
  path: string | null,
  params: Record<string, string | number | boolean | undefined> = {},
  refresh = 0,
): Loaded<T> {
  const key = path === null ? '' : `${path}?${JSON.stringify(params)}#${refresh}`;
  const [state, setState] = useState<Loaded<T> & { key: string }>({
    key: '',
    data: undefined,
    error: undefined,
  });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    get<T>(path, params).then(
      (data) => live && setState({ key, data, error: undefined }),
      (error: Error) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401) {
          dispatchEvent(new Event('certsweep:unauthorized'));
        }
        setState({ key, data: undefined, error });
      },
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? state : { data: undefined, error: undefined };
}
