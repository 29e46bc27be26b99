/**
 * The panel's HTTP client: JSON in and out with the saved bearer token. A 401 signs out (back to the sign-in page);
 * other errors throw `ApiError` carrying the server's `{ error, code }`. The route list of `/api/openapi.json` tells
 * which optional endpoints this server has, so the panel never calls one that is not there.
 */
const TOKEN_KEY = 'aion.token';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

type Listener = () => void;
const signOutListeners = new Set<Listener>();

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set(token: string) {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    for (const l of signOutListeners) l();
  },
  onSignOut(l: Listener) {
    signOutListeners.add(l);
    return () => signOutListeners.delete(l);
  },
};

/** Headers for a request, with the token when signed in. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const t = session.token;
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** Turn a non-2xx response into an `ApiError` (and sign out on 401). */
export async function failure(res: Response): Promise<ApiError> {
  let body: any;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.status === 401 && session.token) session.clear();
  return new ApiError(res.status, body?.code ?? `HTTP_${res.status}`, body?.error ?? res.statusText ?? 'Request failed', body?.details);
}

/**
 * Call the API.
 * @example const { plugins } = await api<{ plugins: Plugin[] }>('GET', '/api/plugins');
 */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: authHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

let routes: Promise<Set<string>> | undefined;

/** `METHOD /api/path/{param}` keys of every route the server has now (cached; `refreshRoutes` after plugin changes). */
export function knownRoutes(): Promise<Set<string>> {
  routes ??= fetch('/api/openapi.json')
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc: { paths?: Record<string, Record<string, unknown>> }) => {
      const set = new Set<string>();
      for (const [p, methods] of Object.entries(doc.paths ?? {})) for (const m of Object.keys(methods)) set.add(`${m.toUpperCase()} ${p}`);
      return set;
    })
    .catch(() => new Set<string>());
  return routes;
}

export function refreshRoutes(): void {
  routes = undefined;
}

/** Whether the server has this route (`path` written with `{param}` placeholders). */
export async function hasRoute(method: string, path: string): Promise<boolean> {
  return (await knownRoutes()).has(`${method.toUpperCase()} ${path}`);
}

/** Fetch a protected file (audio) with the token and give back an object URL the page can play. */
export async function blobUrl(path: string): Promise<string> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw await failure(res);
  return URL.createObjectURL(await res.blob());
}
