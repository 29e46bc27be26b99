/**
 * Route paths compiled to regular expressions with the path-to-regexp that @koa/router itself depends on, and with
 * the options its route layers use (case-insensitive, whole path, an optional trailing slash), so a path matches
 * exactly what it matched when the routes went through @koa/router.
 *
 * Why not @koa/router itself (issue #16, start): its `Router` compiled every `/api` route twice (once as registered,
 * once more when the prefix was applied), the whole module and its dependencies were evaluated at every start for a
 * match loop the host already does itself (route-dispatch.ts), and every plugin swap recompiled all ~150 routes.
 * Here each distinct path is compiled once per process and shared by every route and rebuild that uses it.
 */
import { createRequire } from 'node:module';

/** One named part of a path (path-to-regexp's `Key`): `:name` is a `param`, `*name` a `wildcard`. */
export interface PathKey {
  type: 'param' | 'wildcard';
  name: string;
}

/** A compiled path: its expression (no `g`/`y` flag, so one object can be shared) and its keys in capture order. */
export interface PathPattern {
  regexp: RegExp;
  keys: readonly PathKey[];
}

type PathToRegexp = (path: string, options: { sensitive: boolean; end: boolean; trailing: boolean }) => { regexp: RegExp; keys: PathKey[] };

// Resolved from @koa/router's own location: the version it was tested with, wherever npm placed it.
const requireFromRouter = createRequire(createRequire(import.meta.url).resolve('@koa/router'));
const { pathToRegexp } = requireFromRouter('path-to-regexp') as { pathToRegexp: PathToRegexp };

/** @koa/router's layer defaults (`sensitive: false`, `strict: false` → `trailing: true`, `end: true`). */
const LAYER_OPTIONS = { sensitive: false, end: true, trailing: true };

/** Compiled paths, kept across rebuilds; starts over when full (plugin authors may try many paths in one process). */
const compiled = new Map<string, PathPattern>();
const MAX_COMPILED = 4096;

/** The pattern of a full public path (`/api/…` or a root route's path). Throws path-to-regexp's error for a bad path. */
export function pathPattern(path: string): PathPattern {
  let pattern = compiled.get(path);
  if (!pattern) {
    const { regexp, keys } = pathToRegexp(path, LAYER_OPTIONS);
    pattern = { regexp, keys: Object.freeze(keys.map((k) => ({ type: k.type, name: k.name }))) };
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(path, pattern);
  }
  return pattern;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a malformed %-escape keeps its raw text, as @koa/router did
  }
}

/** The captures of `path` (undefined for an optional part that is absent), as @koa/router's `captures`. */
export function capturesOf(pattern: PathPattern, path: string): string[] {
  const m = path.match(pattern.regexp);
  return m ? m.slice(1) : [];
}

/** Decoded parameters from captures, as @koa/router's `params`: empty and absent captures are left out. */
export function paramsOf(pattern: PathPattern, captures: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < captures.length; i++) {
    const key = pattern.keys[i];
    const value = captures[i];
    if (key && value && value.length > 0) params[key.name] = safeDecode(value);
  }
  return params;
}
