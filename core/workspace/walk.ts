/**
 * The bounded directory walk under scan and in-process search. Symlinks are never followed (a link inside the
 * workspace may point out of it, or into a loop); default excludes prune whole subtrees by name.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PathMatcher } from './glob.ts';
import { hasBinaryExtension } from './binary.ts';

/** Names pruned wherever they appear (dependency trees, VCS data, build output, secrets, caches). */
export const DEFAULT_EXCLUDES: readonly string[] = [
  'node_modules', '.git', '.hg', '.svn', 'dist', 'build', '.env', '.venv', 'venv', '__pycache__', '.next',
  'coverage', '.cache', '.vscode', '.idea', 'vendor', '.DS_Store', 'Thumbs.db', '.aion-exec',
];

export interface WalkOptions {
  /** Depth below the start folder: 0 lists only its direct entries. */
  maxDepth: number;
  /** Only files matching this (by base name or relative path) are yielded; folders are always descended. */
  include?: PathMatcher;
  /** Entries matching this are skipped (folders pruned). */
  exclude?: PathMatcher;
  /** Skip DEFAULT_EXCLUDES and binary extensions (default true). */
  defaultExcludes?: boolean;
  /** Stop after this many directory entries looked at (keeps a giant tree from pinning the server). */
  maxEntries: number;
}

export interface WalkEntry {
  abs: string;
  /** Relative to the start folder, forward slashes. */
  rel: string;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
  depth: number;
}

/** Walk result holder: `truncated` is set when maxEntries stopped the walk. */
export interface WalkState {
  truncated: boolean;
  entriesSeen: number;
}

const DEFAULT_EXCLUDE_SET = new Set(DEFAULT_EXCLUDES);

/**
 * Depth-first walk from `start` (a resolved real folder inside the workspace), directories before their contents,
 * entries sorted by name so results are stable. Yields folders (for the tree) and regular files; skips the rest.
 */
export async function* walk(start: string, opts: WalkOptions, state: WalkState): AsyncGenerator<WalkEntry> {
  const useDefaults = opts.defaultExcludes !== false;
  const stack: Array<{ abs: string; rel: string; depth: number }> = [{ abs: start, rel: '', depth: 0 }];
  while (stack.length) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = (await readdir(dir.abs)).sort();
    } catch {
      continue; // unreadable or vanished: not our business to fail the whole walk
    }
    const subdirs: Array<{ abs: string; rel: string; depth: number }> = [];
    for (const name of names) {
      if (++state.entriesSeen > opts.maxEntries) {
        state.truncated = true;
        return;
      }
      const rel = dir.rel ? `${dir.rel}/${name}` : name;
      if (useDefaults && DEFAULT_EXCLUDE_SET.has(name)) continue;
      if (opts.exclude?.(rel)) continue;
      const abs = path.join(dir.abs, name);
      let st;
      try {
        st = await lstat(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        yield { abs, rel, isDirectory: true, size: 0, mtimeMs: st.mtimeMs, depth: dir.depth };
        if (dir.depth < opts.maxDepth) subdirs.push({ abs, rel, depth: dir.depth + 1 });
      } else if (st.isFile()) {
        if (useDefaults && hasBinaryExtension(name)) continue;
        if (opts.include && !opts.include(rel)) continue;
        yield { abs, rel, isDirectory: false, size: st.size, mtimeMs: st.mtimeMs, depth: dir.depth };
      }
    }
    // Reverse so the stack pops them in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}
