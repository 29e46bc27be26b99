/**
 * Per-user tool permissions (`/api/permissions`, the original AION's allow / ask / deny): a value for a tool's name or
 * for its category (the original's keys). `deny` refuses the call, `ask` parks it for approval, `allow` leaves the tool's
 * own rule in force (an exec tool still asks unless its own rule says otherwise — `exec_approval_off_users`). The
 * aion-control plugin writes the document; the loop reads it before each call.
 */
import type { ToolRisk } from '../plugin-api/types.ts';
import type { Store } from '../store/store.ts';

export type Permission = 'allow' | 'ask' | 'deny';

/** Shared with plugins/aion-control (it writes this collection through its store). */
export const PERMISSIONS_COLLECTION = 'aion-permissions';

/** The original's category of a tool, from its risk and name. */
export function categoryOf(tool: { name: string; risk: ToolRisk }): string | undefined {
  if (tool.name === 'memory_store') return 'memory_write';
  if (/^telegram/.test(tool.name)) return 'telegram_auto';
  if (tool.risk === 'exec') return 'shell_exec';
  if (tool.risk === 'write') return /delete|remove/.test(tool.name) ? 'file_delete' : 'file_write';
  if (tool.risk === 'network') return /search/.test(tool.name) ? 'web_search' : 'web_fetch';
  return undefined;
}

const VALUES = new Set(['allow', 'ask', 'deny']);

/** The user's permission for this tool: its own name first, then its category; undefined = the tool's own rule. */
export async function permissionFor(store: Store, userId: string, tool: { name: string; risk: ToolRisk }): Promise<Permission | undefined> {
  const doc = await store.forUser(userId).collection<{ id: string; values: Record<string, unknown> }>(PERMISSIONS_COLLECTION).get('permissions');
  const values = doc?.values ?? {};
  const category = categoryOf(tool);
  const v = values[tool.name] ?? (category ? values[category] : undefined);
  return typeof v === 'string' && VALUES.has(v) ? (v as Permission) : undefined;
}
