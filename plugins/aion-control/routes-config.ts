/** `/api/keys` and `/api/prompt/{name}` (admin); the config routes are in `routes-settings.ts`. */
import { z } from 'zod';
import { badRequest, notFound, type PluginContext } from '../../core/plugin-api/index.ts';
import { forgetCustomKey, isAllowedKey, listKeys, rememberCustomKeys } from './keys.ts';

const PROMPT_ALIASES: Record<string, 'rules' | 'character' | 'self'> = { rules: 'rules', character: 'character', self: 'self', self_doc: 'self' };

export function registerConfigRoutes(ctx: PluginContext) {
  registerKeyRoutes(ctx);
  registerPromptRoutes(ctx);
}

/** Keys are written to ENV_FILE and the running process; only allowed names, never read back unmasked. */
function registerKeyRoutes(ctx: PluginContext) {
  ctx.routes.get('/keys', { access: 'admin', summary: 'Provider and integration keys, masked' }, () => listKeys(ctx));

  ctx.routes.post('/keys', {
    access: 'admin',
    summary: 'Save keys into ENV_FILE (mode 600) and the running process',
    body: z.record(z.string().max(128), z.string().max(8192)),
  }, async (_c, { body }) => {
    const names = Object.keys(body);
    if (!names.length) throw badRequest('No keys given', [{ field: 'body', message: 'expected { "ENV_NAME": "value" }' }]);
    const refused = names.filter((n) => !isAllowedKey(ctx, n));
    if (refused.length) throw badRequest(`Key name not allowed: ${refused.join(', ')}`, refused.map((field) => ({ field, message: 'not a key name' })), 'KEY_NOT_ALLOWED');
    // Newlines are fine (PEM keys; the keys file quotes them); a carriage return or NUL would not survive the file.
    const bad = names.filter((n) => /[\r\0]/.test(body[n]));
    if (bad.length) throw badRequest(`Key values cannot contain carriage returns or NUL: ${bad.join(', ')}`, bad.map((field) => ({ field, message: 'invalid value' })));
    await ctx.secrets.set(Object.fromEntries(names.map((n) => [n, body[n].trim()])));
    await rememberCustomKeys(ctx, names);
    ctx.log.info({ keys: names }, 'keys updated');
    return { ok: true, updated: names };
  });

  ctx.routes.delete('/keys/:name', {
    access: 'admin',
    summary: 'Remove one key from ENV_FILE and the running process',
    params: z.object({ name: z.string().max(128) }),
  }, async (_c, { params }) => {
    const name = params.name;
    if (!isAllowedKey(ctx, name)) throw badRequest(`Key name not allowed: ${name}`, [{ field: 'name', message: 'not a key name' }], 'KEY_NOT_ALLOWED');
    if (!ctx.secrets.has(name)) throw notFound(`${name} is not set`, 'KEY_NOT_FOUND');
    await ctx.secrets.set({ [name]: '' });
    await forgetCustomKey(ctx, name);
    ctx.log.info({ key: name }, 'key deleted');
    return { ok: true, deleted: name };
  });
}

/** The prompt part a route names (the original's aliases included); 404 PROMPT_NOT_FOUND otherwise. */
function promptName(raw: string) {
  const name = PROMPT_ALIASES[raw];
  if (!name) throw notFound(`Unknown prompt: ${raw}`, 'PROMPT_NOT_FOUND');
  return name;
}

function registerPromptRoutes(ctx: PluginContext) {
  const Params = z.object({ name: z.string().max(64) });

  ctx.routes.get('/prompt/:name', { access: 'admin', summary: 'Read a prompt part', params: Params }, async (_c, { params }) => {
    const name = promptName(params.name);
    const p = await ctx.host.prompts.read(name);
    return { name, content: p.content, path: p.path, edited: p.edited };
  });

  ctx.routes.post('/prompt/:name', {
    access: 'admin',
    summary: 'Save a prompt part (overrides the shipped file)',
    params: Params,
    body: z.object({ content: z.string().max(200_000) }),
  }, async (_c, { params, body }) => {
    const name = promptName(params.name);
    return { ok: true, name, bytes: await ctx.host.prompts.write(name, body.content) };
  });

  ctx.routes.delete('/prompt/:name', { access: 'admin', summary: 'Revert a prompt part to the shipped default', params: Params }, async (_c, { params }) => {
    const name = promptName(params.name);
    await ctx.host.prompts.revert(name);
    const p = await ctx.host.prompts.read(name);
    return { ok: true, name, content: p.content };
  });
}
