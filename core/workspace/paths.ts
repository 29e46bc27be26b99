/**
 * Path confinement: every user-supplied path is resolved to a real path inside the user's workspace, or refused.
 * The check is done on the REAL path (symlinks followed, including dangling ones and the links inside a not-yet-existing
 * path's existing ancestors), because a lexical check alone is defeated by a symlink planted in the workspace.
 */
import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badRequest } from '../errors.ts';

/** The error every escape attempt gets; the message never echoes the resolved host path. */
export const outside = (userPath: string) =>
  badRequest('Path is outside the workspace', { path: userPath.slice(0, 300) }, 'PATH_OUTSIDE_WORKSPACE');

/** Linux's own limit on symlinks followed in one lookup; beyond it the kernel answers ELOOP. */
const MAX_SYMLINKS = 40;
/** Percent-decoding rounds tried when looking for encoded traversal (`%2e`, `%252e`, …). */
const MAX_DECODE_ROUNDS = 4;

/**
 * The forms a path might take if some layer (a proxy, a client, a later tool) decodes it again: the raw string and
 * each successive percent-decoding. All of them must stay inside; we still open the raw (literal) name.
 */
function decodedVariants(p: string): string[] {
  const out = [p];
  let cur = p;
  for (let i = 0; i < MAX_DECODE_ROUNDS && /%[0-9a-f]{2}/i.test(cur); i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      // A malformed escape: decode the well-formed ones only, so `%2e%2e/%zz` is still caught.
      next = cur.replace(/%[0-9a-f]{2}/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
    }
    if (next === cur) break;
    out.push(next);
    cur = next;
  }
  return out;
}

/** True when `child` is `parent` or below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  // `..foo` is a legal name inside; only a whole `..` component leaves.
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !path.isAbsolute(rel));
}

/** Backslashes become separators (a Windows-style `..\..\etc` must not become one odd file name that a later layer splits). */
const normaliseSeparators = (p: string) => p.replace(/\\/g, '/');

/**
 * Like `realpath`, but for paths whose tail does not exist yet: follows every symlink it meets (dangling ones too —
 * writing through a dangling link would create its target), and appends the missing components as they are.
 */
async function realResolve(absPath: string): Promise<string> {
  const pending = absPath.split('/').filter(Boolean).reverse();
  let current = '/';
  let links = 0;
  while (pending.length) {
    const seg = pending.pop()!;
    if (seg === '.') continue;
    if (seg === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, seg);
    let st;
    try {
      st = await lstat(next);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        // Nothing exists from here on: the remaining components cannot be links, only `..` can still move us.
        current = next;
        continue;
      }
      // A name longer than the file system allows (255 bytes a component) is bad input, not a server fault.
      if (code === 'ENAMETOOLONG') throw badRequest('A path component is too long', undefined, 'PATH_TOO_LONG');
      if (code === 'ELOOP') throw badRequest('Too many symbolic links', undefined, 'PATH_OUTSIDE_WORKSPACE');
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw badRequest('Too many symbolic links', undefined, 'PATH_OUTSIDE_WORKSPACE');
      const target = await readlink(next);
      if (path.isAbsolute(target)) current = '/';
      pending.push(...target.split('/').filter(Boolean).reverse());
      continue;
    }
    current = next;
  }
  return current;
}

/**
 * Resolves `userPath` (relative to the workspace, or absolute but inside it) to an absolute real path inside `root`.
 * Throws AppError 400 `PATH_OUTSIDE_WORKSPACE` for `..` escapes, absolute paths elsewhere, backslash and
 * percent-encoded traversal, NUL bytes, drive letters / UNC paths, and symlinks (existing or dangling) that lead out.
 * An empty path or `.` resolves to the root itself.
 */
export async function resolveInWorkspace(root: string, userPath: string | undefined | null): Promise<string> {
  if (userPath != null && typeof userPath !== 'string') throw badRequest('Path must be a string', { path: typeof userPath });
  const raw = userPath ?? '';
  if (raw.length > 4096) throw badRequest('Path is too long', { length: raw.length }, 'PATH_OUTSIDE_WORKSPACE');
  const realRoot = await realpath(root);
  const variants = decodedVariants(raw);
  for (const v of variants) {
    // NUL truncates paths in C APIs; `%00` counts once decoded. A drive letter names another root (UNC `\\host`
    // becomes the absolute `//host` below and fails the containment check).
    if (v.includes('\0') || /^[a-z]:[\\/]/i.test(v)) {
      throw outside(raw);
    }
    const lexical = path.resolve(realRoot, normaliseSeparators(v));
    if (!isInside(realRoot, lexical)) {
      // An absolute path may name the workspace by its unresolved spelling (e.g. through a symlinked DATA_DIR).
      if (v === raw && path.isAbsolute(normaliseSeparators(v))) {
        const viaRoot = await realResolve(path.resolve(normaliseSeparators(v)));
        if (isInside(realRoot, viaRoot)) continue;
      }
      throw outside(raw);
    }
  }
  const candidate = path.resolve(realRoot, normaliseSeparators(raw));
  const real = await realResolve(candidate);
  if (!isInside(realRoot, real)) throw outside(raw);
  return real;
}

/** The path of `abs` relative to the workspace root, with forward slashes (`.` for the root itself). */
export function toWorkspaceRelative(realRoot: string, abs: string): string {
  const rel = path.relative(realRoot, abs);
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

/** User ids become folder names, so only a conservative alphabet is accepted (ids are UUIDs in practice). */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * The workspace root of a user: `overrides[userId]` when an admin mapped one, else `DATA_DIR/workspaces/<userId>`.
 * Created on demand (mode 700: other local accounts have no business there); returns the real path.
 */
export async function workspaceRoot(dataDir: string, userId: string, overrides?: Record<string, string>): Promise<string> {
  if (!SAFE_ID.test(userId) || userId.includes('..')) throw new AppError(400, 'INVALID_USER_ID', 'Invalid user id');
  const mapped = overrides?.[userId];
  if (mapped !== undefined && !path.isAbsolute(mapped)) {
    throw new AppError(500, 'WORKSPACE_MISCONFIGURED', 'Workspace override must be an absolute path');
  }
  const dir = mapped ?? path.join(dataDir, 'workspaces', userId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return realpath(dir);
}
