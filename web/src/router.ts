/**
 * Hash routing: `#/chat`, `#/plugins`, `#/chat/<conversation id>` … (the server answers index.html for every path,
 * the hash keeps it simple). The router knows nothing about pages: `useRoute` gives the first segment and the rest,
 * the shell (app.tsx) matches the segment against the page registry (pages.ts).
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** The page id: the first segment of the hash, '' when there is none. */
  page: string;
  /** The segments after the page id (decoded), e.g. a conversation id. */
  rest: string[];
}

export function parseHash(hash: string): Route {
  const [page = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  return { page, rest: rest.filter(Boolean).map((s) => decodeURIComponent(s)) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Go to a page (and optional sub-path segments). */
export function navigate(page: string, ...rest: string[]): void {
  location.hash = `#/${[page, ...rest.map(encodeURIComponent)].join('/')}`;
}

/** Replace the address without adding a history entry (e.g. a new conversation got its id). */
export function replaceRoute(page: string, ...rest: string[]): void {
  history.replaceState(null, '', `#/${[page, ...rest.map(encodeURIComponent)].join('/')}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}
