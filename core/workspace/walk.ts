/**
 * The bounded directory walk under scan and in-process search. Symlinks are never followed (a link inside the
 * workspace may point out of it, or into a loop); default excludes prune whole subtrees by name.
 */
import type { Dirent, Stats } from 'node:fs';
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
  /** lstat files for size and mtime (default true); search skips it and stats when it opens the file. */
  stat?: boolean;
}

export interface WalkEntry {
  abs: string;
  /** Relative to the start folder, forward slashes. */
  rel: string;
  isDirectory: boolean;
  /** -1 when the walk ran with `stat: false`. */
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
    let dirents: Dirent[];
    try {
      dirents = (await readdir(dir.abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      continue; // unreadable or vanished: not our business to fail the whole walk
    }
    const subdirs: Array<{ abs: string; rel: string; depth: number }> = [];
    for (const dirent of dirents) {
      const name = dirent.name;
      if (++state.entriesSeen > opts.maxEntries) {
        state.truncated = true;
        return;
      }
      const rel = dir.rel ? `${dir.rel}/${name}` : name;
      if (useDefaults && DEFAULT_EXCLUDE_SET.has(name)) continue;
      if (opts.exclude?.(rel)) continue;
      const abs = path.join(dir.abs, name);
      // The dirent type comes from readdir itself (no syscall); it is lstat-like, so links are neither dir nor file.
      // Some filesystems report "unknown": then ask lstat.
      let kind = dirent.isDirectory() ? 'dir' : dirent.isFile() ? 'file' : dirent.isSymbolicLink() ? 'other' : 'unknown';
      let st: Stats | undefined;
      if (kind === 'unknown' || (kind === 'file' && opts.stat !== false)) {
        st = await lstat(abs).catch(() => undefined);
        if (!st) continue;
        kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      }
      if (kind === 'dir') {
        yield { abs, rel, isDirectory: true, size: 0, mtimeMs: st?.mtimeMs ?? 0, depth: dir.depth };
        if (dir.depth < opts.maxDepth) subdirs.push({ abs, rel, depth: dir.depth + 1 });
      } else if (kind === 'file') {
        if (useDefaults && hasBinaryExtension(name)) continue;
        if (opts.include && !opts.include(rel)) continue;
        yield { abs, rel, isDirectory: false, size: st?.size ?? -1, mtimeMs: st?.mtimeMs ?? 0, depth: dir.depth };
      }
    }
    // Reverse so the stack pops them in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}
