/**
 * Workspace scan: an ASCII tree plus the contents of text files, for giving a model a project overview. Everything is
 * bounded (per file, total bytes, file count, depth, entries walked) and `summary.truncated` says when a bound hit.
 */
import { open, stat } from 'node:fs/promises';
import { badRequest } from '../errors.ts';
import { decodeUtf8, looksBinary } from './binary.ts';
import { compileGlobs } from './glob.ts';
import { resolveInWorkspace, toWorkspaceRelative } from './paths.ts';
import { walk, type WalkEntry, type WalkState } from './walk.ts';
import type { ScanFile, ScanResult } from '../plugin-api/workspace.ts';
import type { ScanOptions } from '../plugin-api/workspace.ts';
export type { ScanFile, ScanResult } from '../plugin-api/workspace.ts';

/** Scan bounds; the defaults are the documented ones. */
export interface ScanLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
  /** Directory entries looked at, at most (tree size bound). */
  maxEntries: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxFileBytes: 100 * 1024, maxTotalBytes: 2 * 1024 * 1024, maxFiles: 200, maxEntries: 20000 };
/** Deepest `maxDepth` accepted. */
export const MAX_SCAN_DEPTH = 20;

export type { ScanOptions } from '../plugin-api/workspace.ts';

interface TreeNode {
  children: Map<string, TreeNode>;
  isDirectory: boolean;
}

function renderTree(rootName: string, root: TreeNode): string {
  const lines = [rootName + '/'];
  const visit = (node: TreeNode, prefix: string) => {
    const entries = [...node.children.entries()].sort(
      ([a, x], [b, y]) => Number(y.isDirectory) - Number(x.isDirectory) || (a < b ? -1 : a > b ? 1 : 0),
    );
    entries.forEach(([name, child], i) => {
      const last = i === entries.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${name}${child.isDirectory ? '/' : ''}`);
      if (child.isDirectory) visit(child, prefix + (last ? '    ' : '│   '));
    });
  };
  visit(root, '');
  return lines.join('\n');
}

function addToTree(root: TreeNode, entry: WalkEntry) {
  let node = root;
  const parts = entry.rel.split('/');
  parts.forEach((part, i) => {
    let child = node.children.get(part);
    if (!child) {
      child = { children: new Map(), isDirectory: i < parts.length - 1 || entry.isDirectory };
      node.children.set(part, child);
    }
    node = child;
  });
}

/** Reads at most `limit` + 1 bytes, so over-size files are detected without loading them. */
async function readHead(abs: string, limit: number): Promise<Buffer | undefined> {
  const fh = await open(abs, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const buf = Buffer.alloc(limit + 1);
    let len = 0;
    while (len < buf.length) {
      const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
      if (!bytesRead) break;
      len += bytesRead;
    }
    return buf.subarray(0, len);
  } finally {
    await fh.close();
  }
}

/** Scans a workspace folder. See `ScanResult`; 400 `NOT_A_DIRECTORY` when the path is a file. */
export async function scanWorkspace(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...opts.limits };
  const realRoot = await resolveInWorkspace(root, '');
  const start = await resolveInWorkspace(realRoot, opts.dirPath ?? '');
  const st = await stat(start).catch(() => undefined);
  if (!st) throw badRequest('Folder not found', { field: 'dirPath' }, 'NOT_A_DIRECTORY');
  if (!st.isDirectory()) throw badRequest('Path is not a directory', { field: 'dirPath' }, 'NOT_A_DIRECTORY');
  const depthArg = opts.maxDepth ?? 10;
  if (!Number.isInteger(depthArg) || depthArg < 0) throw badRequest('maxDepth must be a non-negative integer', { field: 'maxDepth' });
  const maxDepth = opts.recursive === false ? 0 : Math.min(depthArg, MAX_SCAN_DEPTH);
  const include = compileGlobs(opts.filePatterns, 'filePatterns');
  const exclude = compileGlobs(opts.excludePatterns, 'excludePatterns');
  const includeContents = opts.includeContents !== false;

  const state: WalkState = { truncated: false, entriesSeen: 0 };
  const tree: TreeNode = { children: new Map(), isDirectory: true };
  const files: ScanFile[] = [];
  // A Map, not an object literal: a file named `b.constructor` must count as `constructor`, not read Object.prototype.
  const languages = new Map<string, number>();
  let totalSize = 0;
  let contentBytes = 0;
  let truncated = false;

  for await (const entry of walk(start, { maxDepth, include, exclude, maxEntries: limits.maxEntries }, state)) {
    if (entry.isDirectory) {
      // Folders only show up in the tree when something below survives the filters, or no file filter is set.
      if (!include) addToTree(tree, entry);
      continue;
    }
    if (files.length >= limits.maxFiles) {
      truncated = true;
      break;
    }
    let content = '';
    if (includeContents) {
      if (entry.size > limits.maxFileBytes) {
        content = `[File too large: ${entry.size} bytes, limit ${limits.maxFileBytes}]`;
      } else if (contentBytes + entry.size > limits.maxTotalBytes) {
        // Keep listing the file, without its text: the total budget is spent.
        truncated = true;
        content = `[Skipped: total content limit of ${limits.maxTotalBytes} bytes reached]`;
      } else {
        const bytes = await readHead(entry.abs, limits.maxFileBytes);
        if (!bytes) continue;
        const text = looksBinary(bytes) ? undefined : decodeUtf8(bytes);
        if (text === undefined) continue; // binary content under a text-looking name: skipped like binaries
        content = text;
        contentBytes += bytes.length;
      }
    } else if (entry.size <= limits.maxFileBytes) {
      // Even without contents, binaries are left out; sniff the head only.
      const head = await readHead(entry.abs, 8191);
      if (!head || looksBinary(head)) continue;
    }
    addToTree(tree, entry);
    files.push({ path: toWorkspaceRelative(realRoot, entry.abs), size: entry.size, content });
    totalSize += entry.size;
    const base = entry.rel.slice(entry.rel.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot > 0) {
      const ext = base.slice(dot + 1).toLowerCase();
      languages.set(ext, (languages.get(ext) ?? 0) + 1);
    }
  }
  const relStart = toWorkspaceRelative(realRoot, start);
  return {
    path: relStart,
    tree: renderTree(relStart === '.' ? '.' : relStart.slice(relStart.lastIndexOf('/') + 1), tree),
    files,
    summary: { totalFiles: files.length, totalSize, languages: Object.fromEntries(languages), truncated: truncated || state.truncated },
  };
}
