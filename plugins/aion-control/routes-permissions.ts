/**
 * `GET/POST /api/permissions` (the caller's own): the original's categories and presets, plus any tool by name, each
 * `allow` / `ask` / `deny`. The agent loop enforces them (core `agent/permissions.ts` reads the same collection):
 * deny refuses, ask parks for approval, allow keeps the tool's own rule (exec tools still ask unless an admin lifted it).
 */
import { z } from 'zod';
import { badRequest, type PluginContext } from '../../core/plugin-api/index.ts';

/** Same name as core's `PERMISSIONS_COLLECTION`. */
const COLLECTION = 'aion-permissions';
const Value = z.enum(['allow', 'ask', 'deny']);

const LABELS: Record<string, string> = {
  shell_exec: 'Run code and shell commands',
  install_package: 'Install packages',
  file_write: 'Write files in the workspace',
  file_delete: 'Delete files',
  self_modify: 'Change its own code',
  create_plugin: 'Create plugins',
  restart: 'Restart itself',
  web_search: 'Search the web',
  web_fetch: 'Fetch web pages and call web services',
  telegram_auto: 'Send Telegram messages on its own',
  memory_write: 'Store memories',
  schedule: 'Schedule tasks',
};
/** The original's "balanced" preset; what applies while nothing is saved. */
const DEFAULTS: Record<string, 'allow' | 'ask' | 'deny'> = {
  shell_exec: 'ask', install_package: 'ask', file_write: 'allow', file_delete: 'ask', self_modify: 'ask', create_plugin: 'ask',
  restart: 'ask', web_search: 'allow', web_fetch: 'allow', telegram_auto: 'allow', memory_write: 'allow', schedule: 'ask',
};

type PermissionsDoc = { id: string; values: Record<string, string>; preset?: string };

export function registerPermissionRoutes(ctx: PluginContext) {
  const coll = (userId: string) => ctx.store.forUser(userId).collection<PermissionsDoc>(COLLECTION);
  const view = (doc: PermissionsDoc | undefined) => ({
    permissions: { ...DEFAULTS, ...(doc?.values ?? {}) },
    preset: doc?.preset ?? 'balanced',
    labels: { ...LABELS, ...Object.fromEntries(ctx.host.tools().map((t) => [t.name, `Tool ${t.name}`])) },
    defaults: DEFAULTS,
  });

  ctx.routes.get('/permissions', { summary: "The caller's tool permissions (allow / ask / deny)" }, async (_c, { user }) => view(await coll(user.id).get('permissions')));

  ctx.routes.post('/permissions', {
    summary: '{ key: allow|ask|deny, …, preset? } — keys are the categories or tool names',
    body: z.record(z.string().max(64), z.unknown()),
  }, async (_c, { body, user }) => {
    const tools = new Set(ctx.host.tools().map((t) => t.name));
    const { preset, ...entries } = body;
    const bad = Object.keys(entries).filter((k) => !(k in LABELS) && !tools.has(k));
    if (bad.length) throw badRequest(`Unknown permission: ${bad.join(', ')}`, bad.map((field) => ({ field, message: 'not a category or tool' })), 'UNKNOWN_PERMISSION');
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(entries)) {
      const parsed = Value.safeParse(v);
      if (!parsed.success) throw badRequest(`${k} must be allow, ask or deny`, [{ field: k, message: 'allow, ask or deny' }], 'INVALID_PERMISSION');
      values[k] = parsed.data;
    }
    if (preset !== undefined && (typeof preset !== 'string' || !/^[a-z_]{1,32}$/.test(preset))) throw badRequest('preset must be a name');
    const old = await coll(user.id).get('permissions');
    const doc: PermissionsDoc = { id: 'permissions', values: { ...(old?.values ?? {}), ...values }, preset: (preset as string | undefined) ?? old?.preset };
    await coll(user.id).put(doc);
    return { ok: true, ...view(doc) };
  });
}
