/**
 * The agent's file tools: file_read, file_write, file_list, scan_directory, code_search, edit_file. Results are compact
 * JSON; file text in a result is cut at `MAX_TOOL_TEXT` so one read cannot flood the model's context.
 */
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { CodeSearchInput, EditInput, FileListInput, FileReadInput, FileWriteInput, ScanInput } from './schemas.ts';

/** Characters of file text a tool result carries at most. */
export const MAX_TOOL_TEXT = 20_000;
/** Total characters of file contents a scan result carries at most. */
const MAX_SCAN_TEXT = 60_000;

/** Cuts `text` to `limit` characters with a marker saying how much was left out. */
export function clip(text: string, limit = MAX_TOOL_TEXT): { text: string; truncated: boolean } {
  if (text.length <= limit) return { text, truncated: false };
  return { text: `${text.slice(0, limit)}\n[truncated: ${text.length - limit} more characters]`, truncated: true };
}

/** Registers the six file tools (in the order the original listed them). */
export function registerFileTools(ctx: PluginContext): void {
  registerReadWriteList(ctx);
  registerOverviewTools(ctx);
  registerEditTool(ctx);
}

/** A scan's file texts, each cut at MAX_TOOL_TEXT and all together at MAX_SCAN_TEXT. */
function clipScanFiles(files: Array<{ path: string; size: number; content: string }>) {
  let budget = MAX_SCAN_TEXT;
  return files.map((f) => {
    const { text, truncated } = clip(f.content, Math.max(0, Math.min(MAX_TOOL_TEXT, budget)));
    budget -= text.length;
    return { path: f.path, size: f.size, content: text, ...(truncated ? { truncated } : {}) };
  });
}

function registerReadWriteList(ctx: PluginContext): void {
  const ws = ctx.workspace;
  ctx.tools.register({
    name: 'file_read',
    description: "Read a UTF-8 text file from the user's workspace.",
    risk: 'read',
    input: FileReadInput,
    run: async (a, call) => {
      const r = await ws.read(call.user.id, a.path);
      const { text, truncated } = clip(r.content);
      return { path: r.path, size: r.size, content: text, ...(truncated ? { truncated } : {}) };
    },
  });

  ctx.tools.register({
    name: 'file_write',
    description: "Create or overwrite a text file in the user's workspace (folders are created).",
    risk: 'write',
    input: FileWriteInput,
    run: async (a, call) => ws.write(call.user.id, a.path, a.content),
  });

  ctx.tools.register({
    name: 'file_list',
    description: "List a folder of the user's workspace.",
    risk: 'read',
    input: FileListInput,
    run: async (a, call) => {
      const r = await ws.list(call.user.id, a.path);
      return { path: r.path, files: r.files.slice(0, 500).map((f) => ({ name: f.name, dir: f.isDirectory, size: f.size })), truncated: r.truncated || r.files.length > 500 };
    },
  });
}

/** scan_directory and code_search: bounded overviews of the workspace. */
function registerOverviewTools(ctx: PluginContext): void {
  const ws = ctx.workspace;
  ctx.tools.register({
    name: 'scan_directory',
    description: 'Overview of a workspace folder: an ASCII tree plus the text of its files (bounded).',
    risk: 'read',
    input: ScanInput,
    run: async (a, call) => {
      const r = await ws.scan(call.user.id, { dirPath: a.path, maxDepth: a.maxDepth, includeContents: a.includeContents, filePatterns: a.filePatterns, excludePatterns: a.excludePatterns });
      return { tree: clip(r.tree).text, files: clipScanFiles(r.files), summary: r.summary };
    },
  });

  ctx.tools.register({
    name: 'code_search',
    description: 'Search the workspace for text or a JavaScript regex; returns file, line, column and the matching line.',
    risk: 'read',
    input: CodeSearchInput,
    run: async (a, call) => {
      const r = await ws.search(call.user.id, { query: a.query, dirPath: a.path, regex: a.regex, caseSensitive: a.caseSensitive, filePatterns: a.filePatterns, maxResults: a.maxResults ?? 50 });
      return { matches: r.matches.map((m) => ({ file: m.file, line: m.line, column: m.column, text: m.text })), totalMatches: r.totalMatches, filesSearched: r.filesSearched, truncated: r.truncated };
    },
  });
}

function registerEditTool(ctx: PluginContext): void {
  const ws = ctx.workspace;
  ctx.tools.register({
    name: 'edit_file',
    description: 'Exact find-and-replace in a workspace file. `find` must occur exactly once unless replaceAll is true.',
    risk: 'write',
    input: EditInput,
    run: async (a, call) => ws.edit(call.user.id, a.path, a.find, a.replace, { replaceAll: a.replaceAll }),
  });
}
