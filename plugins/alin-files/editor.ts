/**
 * `POST /api/editor/execute` — the original's text-editor tool endpoint (`{ command: view | create | str_replace |
 * insert | undo_edit, path, file_text?, old_str?, new_str?, insert_line?, view_range? }`) over the caller's workspace
 * through `ctx.workspace` (every path confined, atomic writes). Answers as the original: `{ success, content }` for
 * view, `{ success, message }` for edits, and an edit that cannot apply (text not found, not unique, no file) is
 * `200 { success: false, error, code }` — the client reads `success`/`error`. Malformed requests and paths outside the
 * workspace stay 4xx.
 */
import { z } from 'zod';
import { badRequest, isAppError, type PluginContext } from '../../core/plugin-api/index.ts';
import { UndoHistory } from './undo-history.ts';

const Body = z.object({
  command: z.enum(['view', 'create', 'str_replace', 'insert', 'undo_edit'], { error: 'command must be view, create, str_replace, insert or undo_edit' }),
  path: z.string().max(4096).optional(),
  filePath: z.string().max(4096).optional(),
  file_text: z.string().max(5 * 1024 * 1024).optional(),
  old_str: z.string().max(5 * 1024 * 1024).optional(),
  new_str: z.string().max(5 * 1024 * 1024).nullable().optional(),
  insert_line: z.number().int().min(0).max(10_000_000).optional(),
  view_range: z.tuple([z.number().int().min(1), z.number().int().min(-1)]).optional(),
});
type EditorBody = z.infer<typeof Body>;

/** Codes of failures the original answered `200 { success: false }`. */
const SOFT = new Set(['EDIT_NOT_FOUND', 'EDIT_AMBIGUOUS', 'FILE_NOT_FOUND', 'NO_UNDO']);

const numbered = (lines: string[], first: number) => lines.map((l, i) => `${first + i}\t${l}`).join('\n');

export function registerEditorRoute(ctx: PluginContext): void {
  const history = new UndoHistory();
  ctx.onUnload(() => history.clear());

  const run = async (userId: string, b: EditorBody, path: string) => {
    const ws = ctx.workspace;
    switch (b.command) {
      case 'view': {
        const lines = (await ws.read(userId, path)).content.split('\n');
        if (!b.view_range) return { success: true, content: numbered(lines, 1) };
        const [start, end] = b.view_range;
        return { success: true, content: numbered(lines.slice(start - 1, end === -1 ? undefined : end), start) };
      }
      case 'create': {
        if (b.file_text === undefined) throw badRequest('file_text is required for create', { field: 'file_text' });
        const before = await ws.read(userId, path).catch(() => undefined);
        const r = await ws.write(userId, path, b.file_text);
        if (before) history.push(userId, r.path, before.content);
        return { success: true, message: `Created ${r.path}`, path: r.path, bytesWritten: r.bytesWritten };
      }
      case 'str_replace': {
        if (!b.old_str) throw badRequest('old_str is required for str_replace', { field: 'old_str' });
        const before = await ws.read(userId, path);
        const r = await ws.edit(userId, path, b.old_str, b.new_str ?? '');
        history.push(userId, r.path, before.content);
        return { success: true, message: `Replaced in ${r.path}`, path: r.path };
      }
      case 'insert': {
        if (b.insert_line === undefined) throw badRequest('insert_line is required for insert', { field: 'insert_line' });
        const before = await ws.read(userId, path);
        const lines = before.content.split('\n');
        if (b.insert_line > lines.length) throw badRequest(`insert_line must be between 0 and ${lines.length}`, { field: 'insert_line' });
        lines.splice(b.insert_line, 0, b.new_str ?? '');
        const r = await ws.write(userId, path, lines.join('\n'));
        history.push(userId, r.path, before.content);
        return { success: true, message: `Inserted at line ${b.insert_line} in ${r.path}`, path: r.path };
      }
      case 'undo_edit': {
        const rel = (await ws.read(userId, path)).path;
        const previous = history.pop(userId, rel);
        if (previous === undefined) return { success: false, error: 'No edit history to undo', code: 'NO_UNDO' };
        await ws.write(userId, rel, previous);
        return { success: true, message: `Undid last edit to ${rel}`, path: rel };
      }
    }
  };

  ctx.routes.post('/editor/execute', { summary: 'Text editor on a workspace file: view, create, str_replace, insert, undo_edit', body: Body }, async (_c, { body, user }) => {
    const path = body.path ?? body.filePath;
    if (!path) throw badRequest('Path is required', { field: 'path' });
    try {
      return await run(user.id, body, path);
    } catch (error) {
      if (isAppError(error) && SOFT.has(error.code)) return { success: false, error: error.message, code: error.code };
      throw error;
    }
  });
}
