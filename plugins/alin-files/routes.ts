/** `POST /api/files/read|write|list|scan|search`: the ALIN files contract over the caller's confined workspace. */
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { ListBody, pickPath, ReadBody, ScanBody, SearchBody, WriteBody } from './schemas.ts';

/** Registers the five files routes. Every error (400 PATH_OUTSIDE_WORKSPACE, 404, 413, 415) comes from `ctx.workspace`. */
export function registerFileRoutes(ctx: PluginContext): void {
  ctx.routes.post('/files/read', { summary: 'Read a UTF-8 text file from the workspace', body: ReadBody }, async (_c, { body, user }) => {
    const r = await ctx.workspace.read(user.id, pickPath(body.filePath, body.path));
    return { success: true, content: r.content, path: r.path, size: r.size };
  });

  ctx.routes.post('/files/write', { summary: 'Write a text file (atomic; creates folders)', body: WriteBody }, async (_c, { body, user }) => {
    const r = await ctx.workspace.write(user.id, pickPath(body.filePath, body.path), body.content);
    return { success: true, path: r.path, bytesWritten: r.bytesWritten };
  });

  ctx.routes.post('/files/list', { summary: 'List a workspace folder', body: ListBody }, async (_c, { body, user }) => {
    const r = await ctx.workspace.list(user.id, pickPath(body.dirPath, body.path, body.filePath));
    return { success: true, path: r.path, files: r.files, truncated: r.truncated };
  });

  ctx.routes.post('/files/scan', { summary: 'Tree and text contents of a workspace folder (bounded)', body: ScanBody }, async (_c, { body, user }) => {
    const r = await ctx.workspace.scan(user.id, {
      dirPath: pickPath(body.dirPath, body.path),
      recursive: body.recursive,
      maxDepth: body.maxDepth,
      includeContents: body.includeContents,
      filePatterns: body.filePatterns,
      excludePatterns: body.excludePatterns,
    });
    return { success: true, path: r.path, tree: r.tree, files: r.files, summary: r.summary };
  });

  ctx.routes.post('/files/search', { summary: 'Search text (plain or regex) in workspace files', body: SearchBody }, async (_c, { body, user }) => {
    const r = await ctx.workspace.search(user.id, {
      query: body.query,
      dirPath: pickPath(body.dirPath, body.path),
      regex: body.regex,
      caseSensitive: body.caseSensitive,
      filePatterns: body.filePatterns,
      maxResults: body.maxResults,
    });
    return { success: true, matches: r.matches, totalMatches: r.totalMatches, filesSearched: r.filesSearched, truncated: r.truncated };
  });
}
