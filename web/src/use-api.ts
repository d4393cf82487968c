import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
}

/** Fetches `api/<path>` whenever the path, the parameters or `refresh` change. */
export function useApi<T>(
  path: string | null,
  params: Record<string, string | number | boolean | undefined> = {},
  refresh = 0,
): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined });
  const key = path === null ? '' : `${path}?${JSON.stringify(params)}#${refresh}`;
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState({ data: undefined, error: undefined });
    get<T>(path, params).then(
      (data) => live && setState({ data, error: undefined }),
      (error: Error) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401)
          dispatchEvent(new Event('certsweep:unauthorized'));
        setState({ data: undefined, error });
      },
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state;
}
