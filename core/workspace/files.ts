/**
 * File operations inside a workspace: read, write (atomic), list and exact find-and-replace edit. Every path goes
 * through `resolveInWorkspace`; sizes are capped so a request cannot make the server read or hold huge files.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badRequest, notFound } from '../errors.ts';
import { decodeUtf8, looksBinary } from './binary.ts';
import { isInside, resolveInWorkspace, toWorkspaceRelative } from './paths.ts';
import type { ListEntry } from '../plugin-api/workspace.ts';
export type { ListEntry } from '../plugin-api/workspace.ts';

/** Largest file `readWorkspaceFile` returns. */
export const MAX_READ_BYTES = 1024 * 1024;
/** Largest content `writeWorkspaceFile` accepts. */
export const MAX_WRITE_BYTES = 5 * 1024 * 1024;
/** Entries `listWorkspaceDir` returns at most. */
export const MAX_LIST_ENTRIES = 5000;

const tooLarge = (size: number, limit: number) =>
  new AppError(413, 'FILE_TOO_LARGE', `File is larger than ${limit} bytes`, { size, limit });
const binary = () => new AppError(415, 'BINARY_FILE', 'File is binary; only UTF-8 text files can be read');
const missing = () => notFound('File not found', 'FILE_NOT_FOUND');

function fsError(e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') throw missing();
  if (code === 'EISDIR') throw badRequest('Path is a directory', undefined, 'IS_A_DIRECTORY');
  // O_NOFOLLOW met a link swapped in after resolution: treat as an escape attempt.
  if (code === 'ELOOP') throw badRequest('Path is outside the workspace', undefined, 'PATH_OUTSIDE_WORKSPACE');
  throw e;
}

/** Result of a read. */
export interface ReadResult {
  /** Relative to the workspace root, forward slashes. */
  path: string;
  content: string;
  size: number;
}

/**
 * Reads a UTF-8 text file. 404 `FILE_NOT_FOUND` when missing, 400 `IS_A_DIRECTORY`, 413 `FILE_TOO_LARGE` above
 * `maxBytes`, 415 `BINARY_FILE` for NUL bytes or invalid UTF-8.
 */
export async function readWorkspaceFile(root: string, userPath: string, maxBytes = MAX_READ_BYTES): Promise<ReadResult> {
  if (!userPath) throw badRequest('Path is required', { field: 'filePath' });
  const real = await resolveInWorkspace(root, userPath);
  // O_NOFOLLOW: the last component was checked as a non-link; refuse if it became one since.
  const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(fsError);
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw badRequest('Path is a directory', undefined, 'IS_A_DIRECTORY');
    if (!st.isFile()) throw badRequest('Not a regular file', undefined, 'NOT_A_FILE');
    if (st.size > maxBytes) throw tooLarge(st.size, maxBytes);
    // Read at most maxBytes + 1 so a file growing under us is still caught.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let len = 0;
    while (len < buf.length) {
      const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
      if (!bytesRead) break;
      len += bytesRead;
    }
    if (len > maxBytes) throw tooLarge(len, maxBytes);
    const bytes = buf.subarray(0, len);
    if (looksBinary(bytes)) throw binary();
    const content = decodeUtf8(bytes);
    if (content === undefined) throw binary();
    return { path: toWorkspaceRelative(await realRootOf(root), real), content, size: len };
  } finally {
    await fh.close();
  }
}

/** Realpath of a root (`workspaceRoot` returns real paths already; this covers callers passing a raw one). */
const realRootOf = (root: string) => realpath(root);

/** Result of a write. */
export interface WriteResult {
  path: string;
  /** UTF-8 bytes written. */
  bytesWritten: number;
}

/**
 * Asked before a write lands, with the bytes the old file took on disk (0 when new) and the new size; throws to
 * refuse (the disk quota).
 */
export type WriteGuard = (oldAllocatedBytes: number, newSize: number) => Promise<unknown>;

/**
 * Writes a text file atomically (temp file in the same folder, then rename — readers never see half a file). The
 * destination was resolved through any inside-pointing link first; a link planted there after the check is replaced
 * by the rename, never written through. Creates missing folders. 413 above `maxBytes`.
 */
export async function writeWorkspaceFile(root: string, userPath: string, content: string, maxBytes = MAX_WRITE_BYTES, guard?: WriteGuard): Promise<WriteResult> {
  if (!userPath) throw badRequest('Path is required', { field: 'filePath' });
  if (typeof content !== 'string') throw badRequest('Content must be a string', { field: 'content' });
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes);
  const realRoot = await realRootOf(root);
  const real = await resolveInWorkspace(realRoot, userPath);
  if (real === realRoot) throw badRequest('Path is a directory', undefined, 'IS_A_DIRECTORY');
  const existing = await lstat(real).catch(() => undefined);
  if (existing?.isDirectory()) throw badRequest('Path is a directory', undefined, 'IS_A_DIRECTORY');
  await guard?.(existing && !existing.isSymbolicLink() ? existing.blocks * 512 : 0, bytes.length);
  const dir = path.dirname(real);
  await mkdir(dir, { recursive: true }).catch(fsError);
  // The folders just created could in theory race with a link planted by running code: check again.
  if (!isInside(realRoot, await realRootOf(dir))) throw badRequest('Path is outside the workspace', undefined, 'PATH_OUTSIDE_WORKSPACE');
  const tmp = path.join(dir, `.${path.basename(real)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, existing?.mode ?? 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, real);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    fsError(e);
  }
  return { path: toWorkspaceRelative(realRoot, real), bytesWritten: bytes.length };
}

/**
 * Lists a folder (folders first, then by name). Symlinks are reported by what they point to only when that stays
 * inside the workspace; a link leading out is listed as the link itself, never stat'ed through.
 */
export async function listWorkspaceDir(root: string, dirPath?: string): Promise<{ path: string; files: ListEntry[]; truncated: boolean }> {
  const realRoot = await realRootOf(root);
  const real = await resolveInWorkspace(realRoot, dirPath ?? '');
  const st = await stat(real).catch(fsError);
  if (!st.isDirectory()) throw badRequest('Path is not a directory', undefined, 'NOT_A_DIRECTORY');
  const names = (await readdir(real).catch(fsError)).sort();
  const truncated = names.length > MAX_LIST_ENTRIES;
  const files: ListEntry[] = [];
  for (const name of names.slice(0, MAX_LIST_ENTRIES)) {
    const abs = path.join(real, name);
    let info = await lstat(abs).catch(() => undefined);
    if (!info) continue;
    if (info.isSymbolicLink()) {
      const target = await resolveInWorkspace(realRoot, abs).catch(() => undefined);
      if (target) info = (await stat(target).catch(() => undefined)) ?? info;
    }
    files.push({
      name,
      path: toWorkspaceRelative(realRoot, abs),
      isDirectory: info.isDirectory(),
      size: info.isDirectory() ? 0 : info.size,
      modifiedAt: Math.round(info.mtimeMs),
    });
  }
  files.sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { path: toWorkspaceRelative(realRoot, real), files, truncated };
}

/** Result of an edit. */
export interface EditResult {
  path: string;
  replacements: number;
  bytesWritten: number;
}

/**
 * Exact find-and-replace in a text file. `find` must occur exactly once (400 `EDIT_NOT_FOUND` / `EDIT_AMBIGUOUS`)
 * unless `replaceAll` is set, in which case every occurrence is replaced (at least one required).
 */
export async function editWorkspaceFile(
  root: string,
  userPath: string,
  find: string,
  replace: string,
  opts: { replaceAll?: boolean; guard?: WriteGuard } = {},
): Promise<EditResult> {
  if (typeof find !== 'string' || find.length === 0) throw badRequest('find must be a non-empty string', { field: 'find' });
  if (typeof replace !== 'string') throw badRequest('replace must be a string', { field: 'replace' });
  const { content } = await readWorkspaceFile(root, userPath, MAX_WRITE_BYTES);
  const count = content.split(find).length - 1;
  if (count === 0) throw badRequest('Text to replace was not found', { field: 'find' }, 'EDIT_NOT_FOUND');
  if (count > 1 && !opts.replaceAll) {
    throw badRequest(`Text to replace occurs ${count} times; make it unique or set replaceAll`, { occurrences: count }, 'EDIT_AMBIGUOUS');
  }
  // split/join, not String.replace: `$&`-style patterns in `replace` must stay literal.
  const next = opts.replaceAll ? content.split(find).join(replace) : content.replace(find, () => replace);
  const { path: rel, bytesWritten } = await writeWorkspaceFile(root, userPath, next, MAX_WRITE_BYTES, opts.guard);
  return { path: rel, replacements: opts.replaceAll ? count : 1, bytesWritten };
}
