/**
 * A tiny, safe glob → RegExp compiler (no dependency; picomatch is not installed). Supports `*`, `**`, `?`, `[...]`
 * and `{a,b}`. The output is linear-time to match: only `[^/]*` / `.*` quantifiers, no nested groups of quantifiers
 * beyond one brace level.
 */
import { badRequest } from '../errors.ts';

/** Caps that keep a request from compiling something huge. */
const MAX_PATTERN_LENGTH = 256;
const MAX_PATTERNS = 50;

const escapeChar = (c: string) => (/[\\^$.*+?()[\]{}|/]/.test(c) ? '\\' + c : c);

/** Compiles one glob; patterns without `/` match the base name, patterns with `/` match the whole relative path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inBrace = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more whole directories; a bare `**` anything at all.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body + ']';
        i = end;
      }
    } else if (c === '{' && inBrace === 0) {
      inBrace++;
      re += '(?:';
    } else if (c === '}' && inBrace > 0) {
      inBrace--;
      re += ')';
    } else if (c === ',' && inBrace > 0) re += '|';
    else re += escapeChar(c);
  }
  if (inBrace) re += ')';
  return new RegExp('^' + re + '$');
}

/** A matcher over a list of globs: true when any matches `relPath` (or its base name, for slash-less globs). */
export type PathMatcher = (relPath: string) => boolean;

/** Compiles a user-supplied pattern list, validating its shape; undefined or empty → undefined (no filter). */
export function compileGlobs(patterns: unknown, field = 'patterns'): PathMatcher | undefined {
  if (patterns == null) return undefined;
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  if (!Array.isArray(list) || list.length > MAX_PATTERNS || list.some((p) => typeof p !== 'string' || p.length > MAX_PATTERN_LENGTH)) {
    throw badRequest(`${field} must be a list of at most ${MAX_PATTERNS} glob strings`, { field });
  }
  const globs = (list as string[]).filter((p) => p.length > 0);
  if (!globs.length) return undefined;
  const compiled = globs.map((g) => {
    const clean = g.replace(/\\/g, '/').replace(/^\.\//, '');
    let rx: RegExp;
    try {
      rx = globToRegExp(clean);
    } catch {
      throw badRequest(`Invalid glob: ${g}`, { field }, 'INVALID_GLOB');
    }
    return { rx, onBase: !clean.includes('/') };
  });
  return (relPath) => {
    const base = relPath.slice(relPath.lastIndexOf('/') + 1);
    return compiled.some(({ rx, onBase }) => rx.test(onBase ? base : relPath));
  };
}
