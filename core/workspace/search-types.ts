/** Shapes shared by the search front (`search.ts`) and its two engines. */

export interface SearchMatch {
  /** Relative to the workspace root, forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what a JS editor counts). */
  column: number;
  /** The matching line, trimmed and capped. */
  text: string;
  /** Previous, matching and next line joined by `\n` (each capped). */
  context: string;
}

export interface SearchResult {
  matches: SearchMatch[];
  /** Matches returned (the search stops once `maxResults` is reached; `truncated` then says more exist). */
  totalMatches: number;
  /** Files searched (ripgrep stopped early reports the files it had reached). */
  filesSearched: number;
  /** True when maxResults, the time bound or a size cap cut the search short. */
  truncated: boolean;
  engine: 'ripgrep' | 'node';
}

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
