/**
 * `path.join(dir, name)` for the case the host meets ~1,000 times at start — a folder's entry by its name, as `readdir`
 * returns it — without `path.join`'s normalising pass over the whole string. Those passes made V8 optimise Node's own
 * `normalizeString` with TurboFan during every start, which is what brought TurboFan's code (~6 MB of the node binary)
 * into an idle server's memory (issue #16's idle RSS). Anything else — an empty name, `.` or `..`, a name with a
 * separator, a folder that is not normal — goes through `path.join`, so the answer is always `path.join`'s.
 */
import path from 'node:path';

export function entryPath(dir: string, name: string): string {
  if (!isPlainName(name) || !looksNormal(dir)) return path.join(dir, name);
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

/** `path.normalize(dir)`, without its pass over the string when `dir` is plainly normal already (the usual case). */
export function normalFolder(dir: string): string {
  return looksNormal(dir) ? dir : path.normalize(dir);
}

/** One path segment that `path.join` leaves as it is. */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes(path.sep);
}

/**
 * A folder `path.normalize` would return unchanged, checked cheaply: no empty, `.` or `..` segment (a trailing
 * separator is allowed, as normalize keeps it). `.` alone is not normal here: `path.join('.', name)` drops it.
 */
function looksNormal(dir: string): boolean {
  if (dir === '' || dir === '.') return false;
  const sep = path.sep;
  const body = dir.endsWith(sep) && dir.length > 1 ? dir.slice(0, -1) : dir;
  if (body.includes(sep + sep) || body.endsWith(sep + '.') || body.endsWith(sep + '..') || body.includes(sep + '.' + sep) || body.includes(sep + '..' + sep)) return false;
  return !(body === '..' || body.startsWith('.' + sep) || body.startsWith('..' + sep));
}
