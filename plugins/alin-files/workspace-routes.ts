/**
 * The `/api/workspace/*` routes of ALIN Coding mode (`workspaceStore.ts`), over the caller's own workspace:
 * `POST /workspace/init` → `{ success, workspaceId }`, `GET /workspace/tree` → `{ success, files }`,
 * `GET /workspace/file?path=` (download), `POST /workspace/upload` (multipart `files`, `targetDir?`) →
 * `{ success, files, count, skipped }`, `DELETE /workspace` (empties it). The host path is never returned.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, badRequest, loadOnFirstUse, type PluginContext } from '../../core/plugin-api/index.ts';
import { workspaceTree } from './workspace-tree.ts';

const MAX_FILES = 50;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_TOTAL_BYTES = 50 * 1024 * 1024;

/**
 * Formidable's parser for the upload route only (the global body parser takes JSON only). koa-body (with formidable)
 * is imported on the first upload, not when the plugin loads: most starts never see one (issue #16).
 */
const loadMultipart = loadOnFirstUse(async () => (await import('koa-body')).koaBody({
  multipart: true,
  json: false,
  urlencoded: false,
  text: false,
  formidable: { maxFiles: MAX_FILES, maxFileSize: MAX_FILE_BYTES, maxTotalFileSize: MAX_TOTAL_BYTES, allowEmptyFiles: true, minFileSize: 0, keepExtensions: false },
  onError: (error: any) => {
    const tooBig = /maxFileSize|maxTotalFileSize|maxFiles|exceeded/i.test(String(error?.message));
    throw tooBig ? new AppError(413, 'UPLOAD_TOO_LARGE', 'Upload too large', { maxFiles: MAX_FILES, maxFileBytes: MAX_FILE_BYTES }) : badRequest('Malformed upload', undefined, 'BAD_UPLOAD');
  },
}), (reason) => new AppError(503, 'UPLOADS_UNAVAILABLE', `The upload parser could not be loaded: ${reason}`));

/** UTF-8 text, or `undefined` for binary content (the workspace holds text files). */
function textOf(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function registerWorkspaceRoutes(ctx: PluginContext): void {
  ctx.routes.post('/workspace/init', { summary: "Create (or find) the caller's workspace" }, async (_c, { user }) => {
    await ctx.workspace.list(user.id, '');
    return { success: true, workspaceId: user.id };
  });

  ctx.routes.get('/workspace/tree', { summary: 'The workspace as a tree (five levels, build folders left out)' }, async (_c, { user }) => {
    const { files, truncated } = await workspaceTree(ctx, user.id);
    return { success: true, files, truncated };
  });

  ctx.routes.get('/workspace/file', { summary: 'Download one text file of the workspace', query: z.object({ path: z.string().min(1, 'path query param required').max(4096) }) }, async (c, { query, user }) => {
    const r = await ctx.workspace.read(user.id, query.path);
    const name = path.posix.basename(r.path).replace(/["\\\r\n]/g, '_');
    c.set('Content-Disposition', `attachment; filename="${name}"`);
    c.type = 'application/octet-stream';
    c.body = Buffer.from(r.content, 'utf8');
    return undefined;
  });

  ctx.routes.post('/workspace/upload', { summary: 'Upload text files into the workspace (multipart "files", optional "targetDir")' }, async (c, { user }) => {
    if (!c.is('multipart/form-data')) throw badRequest('Expected multipart/form-data with "files"', undefined, 'BAD_UPLOAD');
    const multipart = await loadMultipart();
    await multipart(c as any, async () => {});
    const req = c.request as any;
    const raw = req.files?.files;
    const files: any[] = raw ? (Array.isArray(raw) ? raw : [raw]) : [];
    const targetDir = typeof req.body?.targetDir === 'string' ? req.body.targetDir : '';
    const saved: string[] = [];
    const skipped: Array<{ name: string; reason: string }> = [];
    try {
      for (const f of files) {
        const name = path.basename(String(f.originalFilename ?? '').replace(/\\/g, '/'));
        if (!name || name === '.' || name === '..') {
          skipped.push({ name, reason: 'bad file name' });
          continue;
        }
        const text = textOf(await readFile(f.filepath));
        if (text === undefined) {
          skipped.push({ name, reason: 'binary files are not stored' });
          continue;
        }
        const r = await ctx.workspace.write(user.id, targetDir ? `${targetDir.replace(/\/+$/, '')}/${name}` : name, text);
        saved.push(r.path);
      }
    } finally {
      await Promise.all(files.map((f) => rm(f.filepath, { force: true }).catch(() => {})));
    }
    return { success: true, files: saved, count: saved.length, skipped };
  });

  ctx.routes.delete('/workspace', { summary: "Empty the caller's workspace" }, async (_c, { user }) => {
    // Removed from inside the caller's sandbox, which can reach nothing but this workspace.
    const r = await ctx.workspace.execute(user.id, { language: 'shell', code: 'find . -mindepth 1 -maxdepth 1 ! -name .aion-exec -exec rm -rf -- {} +', timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw badRequest('The workspace could not be emptied', undefined, 'DELETE_FAILED');
    return { success: true };
  });
}
