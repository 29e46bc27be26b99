/**
 * Send a file with HTTP range support (RFC 9110 §14): one `bytes=` range → 206 with `Content-Range`; a range past the
 * end → 416 with `Content-Range: bytes *\/size`; no, several or malformed ranges → the whole file (200).
 */
import { createReadStream } from 'node:fs';
import type { Context } from 'koa';

/** The byte range asked for, `'unsatisfiable'`, or `undefined` for "send it all". */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

export function sendFile(c: Context, file: string, size: number, type: string): void {
  c.set('Accept-Ranges', 'bytes');
  c.set('Cache-Control', 'private, max-age=3600');
  c.type = type;
  const range = parseRange(c.get('Range') || undefined, size);
  if (range === 'unsatisfiable') {
    c.status = 416;
    c.set('Content-Range', `bytes */${size}`);
    c.body = { error: 'Range not satisfiable', code: 'RANGE_NOT_SATISFIABLE' };
    return;
  }
  if (range) {
    c.status = 206;
    c.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    c.length = range.end - range.start + 1;
    c.body = c.method === 'HEAD' ? null : createReadStream(file, { start: range.start, end: range.end });
    return;
  }
  c.status = 200;
  c.length = size;
  c.body = c.method === 'HEAD' ? null : createReadStream(file);
}
