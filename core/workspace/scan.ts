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

/** The scan's folder, checked: real, inside the workspace, a directory. */
async function resolveScanStart(root: string, dirPath: string | undefined): Promise<{ realRoot: string; start: string }> {
  const realRoot = await resolveInWorkspace(root, '');
  const start = await resolveInWorkspace(realRoot, dirPath ?? '');
  const st = await stat(start).catch(() => undefined);
  if (!st) throw badRequest('Folder not found', { field: 'dirPath' }, 'NOT_A_DIRECTORY');
  if (!st.isDirectory()) throw badRequest('Path is not a directory', { field: 'dirPath' }, 'NOT_A_DIRECTORY');
  return { realRoot, start };
}

function scanDepth(opts: ScanOptions): number {
  const depthArg = opts.maxDepth ?? 10;
  if (!Number.isInteger(depthArg) || depthArg < 0) throw badRequest('maxDepth must be a non-negative integer', { field: 'maxDepth' });
  return opts.recursive === false ? 0 : Math.min(depthArg, MAX_SCAN_DEPTH);
}

/** What a scan gathers while walking. */
class ScanCollector {
  readonly tree: TreeNode = { children: new Map(), isDirectory: true };
  readonly files: ScanFile[] = [];
  // A Map, not an object literal: a file named `b.constructor` must count as `constructor`, not read Object.prototype.
  readonly languages = new Map<string, number>();
  totalSize = 0;
  contentBytes = 0;
  truncated = false;

  constructor(
    private readonly realRoot: string,
    private readonly limits: ScanLimits,
    private readonly includeContents: boolean,
  ) {}

  /** Adds one file; false once the file count is reached. */
  async addFile(entry: WalkEntry): Promise<boolean> {
    if (this.files.length >= this.limits.maxFiles) {
      this.truncated = true;
      return false;
    }
    const content = this.includeContents ? await this.readContent(entry) : await this.textOrSkip(entry);
    if (content === undefined) return true; // binary: left out
    addToTree(this.tree, entry);
    this.files.push({ path: toWorkspaceRelative(this.realRoot, entry.abs), size: entry.size, content });
    this.totalSize += entry.size;
    this.countLanguage(entry.rel);
    return true;
  }

  /** The file's text, or a note saying why it is not included; undefined for binaries. */
  private async readContent(entry: WalkEntry): Promise<string | undefined> {
    const { maxFileBytes, maxTotalBytes } = this.limits;
    if (entry.size > maxFileBytes) return `[File too large: ${entry.size} bytes, limit ${maxFileBytes}]`;
    if (this.contentBytes + entry.size > maxTotalBytes) {
      // Keep listing the file, without its text: the total budget is spent.
      this.truncated = true;
      return `[Skipped: total content limit of ${maxTotalBytes} bytes reached]`;
    }
    const bytes = await readHead(entry.abs, maxFileBytes);
    if (!bytes) return undefined;
    const text = looksBinary(bytes) ? undefined : decodeUtf8(bytes);
    if (text === undefined) return undefined; // binary content under a text-looking name: skipped like binaries
    this.contentBytes += bytes.length;
    return text;
  }

  /** Without contents, binaries are still left out: sniffs the head only (over-size files are listed unsniffed). */
  private async textOrSkip(entry: WalkEntry): Promise<string | undefined> {
    if (entry.size > this.limits.maxFileBytes) return '';
    const head = await readHead(entry.abs, 8191);
    return !head || looksBinary(head) ? undefined : '';
  }

  private countLanguage(rel: string) {
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot <= 0) return;
    const ext = base.slice(dot + 1).toLowerCase();
    this.languages.set(ext, (this.languages.get(ext) ?? 0) + 1);
  }
}

/** Scans a workspace folder. See `ScanResult`; 400 `NOT_A_DIRECTORY` when the path is a file. */
export async function scanWorkspace(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...opts.limits };
  const { realRoot, start } = await resolveScanStart(root, opts.dirPath);
  const maxDepth = scanDepth(opts);
  const include = compileGlobs(opts.filePatterns, 'filePatterns');
  const exclude = compileGlobs(opts.excludePatterns, 'excludePatterns');
  const scan = new ScanCollector(realRoot, limits, opts.includeContents !== false);
  const state: WalkState = { truncated: false, entriesSeen: 0 };
  for await (const entry of walk(start, { maxDepth, include, exclude, maxEntries: limits.maxEntries }, state)) {
    if (entry.isDirectory) {
      // Folders only show up in the tree when something below survives the filters, or no file filter is set.
      if (!include) addToTree(scan.tree, entry);
      continue;
    }
    if (!(await scan.addFile(entry))) break;
  }
  const relStart = toWorkspaceRelative(realRoot, start);
  const { files, totalSize, languages } = scan;
  return {
    path: relStart,
    tree: renderTree(relStart === '.' ? '.' : relStart.slice(relStart.lastIndexOf('/') + 1), scan.tree),
    files,
    summary: { totalFiles: files.length, totalSize, languages: Object.fromEntries(languages), truncated: scan.truncated || state.truncated },
  };
}
