/** Shapes shared by the search front (`search.ts`) and its two engines. */
export type { SearchMatch, SearchResult } from '../plugin-api/workspace.ts';

/** What an engine needs: a validated, compiled request. */
export interface EngineRequest {
  /** Real folder to search, inside the workspace. */
  start: string;
  /** Workspace-relative spelling of `start` ('.' for the root), prefixed to result paths. */
  relStart: string;
  query: string;
  regex: boolean;
  caseSensitive: boolean;
  filePatterns?: string[];
  maxResults: number;
  timeoutMs: number;
}

/** Longest line text / context line kept in a result (minified files have megabyte lines). */
export const MAX_LINE_CHARS = 500;
/** Files larger than this are not searched (both engines). */
export const MAX_SEARCH_FILE_BYTES = 1024 * 1024;

export const capLine = (s: string) => (s.length > MAX_LINE_CHARS ? s.slice(0, MAX_LINE_CHARS) + '…' : s);

/** Joins the folder prefix and a path relative to it. */
export const joinRel = (relStart: string, rel: string) => (relStart === '.' ? rel : `${relStart}/${rel}`);
