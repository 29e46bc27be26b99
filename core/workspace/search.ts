/**
 * Workspace text search: validates the request, then runs ripgrep when present, else the in-process engine. Both
 * engines report the same shape (one match per line, 1-based line and column, ±1 line of context).
 */
import { stat } from 'node:fs/promises';
import { badRequest } from '../errors.ts';
import { compileGlobs } from './glob.ts';
import { resolveInWorkspace, toWorkspaceRelative } from './paths.ts';
import { searchWithNode } from './search-node.ts';
import { RipgrepPatternError, hasRipgrep, searchWithRipgrep } from './search-rg.ts';
import type { EngineRequest, SearchResult } from './search-types.ts';

export type { SearchMatch, SearchResult } from './search-types.ts';
export { hasRipgrep } from './search-rg.ts';
import type { SearchOptions } from '../plugin-api/workspace.ts';
export type { SearchOptions } from '../plugin-api/workspace.ts';

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_RESULTS_LIMIT = 1000;
export const DEFAULT_SEARCH_TIMEOUT_MS = 5000;
const MAX_QUERY_CHARS = 1000;

/**
 * Searches the workspace (or `dirPath` in it). 400 `VALIDATION_ERROR` for a missing query, 400 `INVALID_REGEX` for a
 * regex JavaScript cannot compile (the JS dialect is the contract, whichever engine runs).
 */
export async function searchWorkspace(root: string, opts: SearchOptions): Promise<SearchResult> {
  const { query } = opts;
  if (typeof query !== 'string' || query.length === 0) throw badRequest('query is required', { field: 'query' });
  if (query.length > MAX_QUERY_CHARS) throw badRequest(`query is longer than ${MAX_QUERY_CHARS} characters`, { field: 'query' });
  const maxResults = opts.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1) throw badRequest('maxResults must be a positive integer', { field: 'maxResults' });
  const regex = opts.regex === true;
  const caseSensitive = opts.caseSensitive === true;
  if (regex) {
    try {
      new RegExp(query, caseSensitive ? '' : 'i');
    } catch (e) {
      throw badRequest(`Invalid regex: ${(e as Error).message}`, { field: 'query' }, 'INVALID_REGEX');
    }
  }
  const realRoot = await resolveInWorkspace(root, '');
  const start = await resolveInWorkspace(realRoot, opts.dirPath ?? '');
  const st = await stat(start).catch(() => undefined);
  if (!st?.isDirectory()) throw badRequest('dirPath is not a folder', { field: 'dirPath' }, 'NOT_A_DIRECTORY');
  const req: EngineRequest = {
    start,
    relStart: toWorkspaceRelative(realRoot, start),
    query,
    regex,
    caseSensitive,
    filePatterns: opts.filePatterns,
    maxResults: Math.min(maxResults, MAX_RESULTS_LIMIT),
    timeoutMs: Math.max(100, opts.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS),
  };
  // Validates the globs up front (the rg engine would otherwise pass them through unchecked).
  compileGlobs(opts.filePatterns, 'filePatterns');

  const engine = opts.engine ?? 'auto';
  if (engine !== 'node' && (engine === 'ripgrep' || (await hasRipgrep()))) {
    try {
      return await searchWithRipgrep(req);
    } catch (e) {
      // rg's Rust dialect lacks lookaround and backreferences; the JS engine handles what JS accepts.
      if (!(e instanceof RipgrepPatternError)) throw e;
    }
  }
  return searchWithNode(req);
}
