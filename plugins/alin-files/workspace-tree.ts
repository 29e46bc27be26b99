/**
 * The workspace tree of `GET /api/workspace/tree`, in the original's shape: `[{ name, type: "directory", path,
 * children } | { name, type: "file", path, size }]`, folders first, five levels deep, the usual build and tool folders
 * left out. Built from `ctx.workspace.list`, so every folder is confined like any other path; bounded in entries.
 */
import type { PluginContext } from '../../core/plugin-api/index.ts';

const MAX_DEPTH = 5;
const MAX_ENTRIES = 5000;
const EXCLUDED = new Set([
  'node_modules', '.git', 'dist', 'build', '__pycache__', '.env', '.next', 'coverage', '.cache', '.vscode', '.idea',
  'vendor', '.DS_Store', 'Thumbs.db', '.aion-exec',
]);

export type TreeNode =
  | { name: string; type: 'directory'; path: string; children: TreeNode[] }
  | { name: string; type: 'file'; path: string; size: number };

export async function workspaceTree(ctx: PluginContext, userId: string): Promise<{ files: TreeNode[]; truncated: boolean }> {
  let count = 0;
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<TreeNode[]> => {
    if (depth > MAX_DEPTH) return [];
    const listing = await ctx.workspace.list(userId, dir).catch(() => undefined);
    if (!listing) return [];
    const out: TreeNode[] = [];
    for (const entry of listing.files) {
      if (EXCLUDED.has(entry.name)) continue;
      if (++count > MAX_ENTRIES) {
        truncated = true;
        break;
      }
      out.push(entry.isDirectory
        ? { name: entry.name, type: 'directory', path: entry.path, children: await walk(entry.path, depth + 1) }
        : { name: entry.name, type: 'file', path: entry.path, size: entry.size });
    }
    return out;
  };
  const files = await walk('', 0);
  return { files, truncated };
}
