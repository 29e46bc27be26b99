/**
 * `GET/POST/DELETE /api/custom-providers` (admin), the original's shape: `{ name, base_url, api_key_env, models
 * ("a, b" or a list), prefix? }`. Saved in the global `custom-providers` collection, which provider-openai turns into
 * providers `custom-<name>`; it is reloaded after each change (in the background; the models show within moments). The admin adding a
 * server allows its address (local servers are the usual case), so private addresses are not refused here.
 */
import { z } from 'zod';
import { badRequest, notFound, type PluginContext } from '../../core/plugin-api/index.ts';
import { KEY_NAME } from './keys.ts';

const COLLECTION = 'custom-providers';
const OPENAI_PLUGIN = 'provider-openai';
type Stored = { id: string; name: string; base_url: string; api_key_env: string; models: string[]; prefix: string };

const Body = z.object({
  name: z.string().trim().min(1, 'name is required').max(40).regex(/^[A-Za-z0-9 _.-]+$/, 'letters, digits, space, _ . -'),
  base_url: z.string().trim().max(500).url('base_url must be a URL').refine((u) => /^https?:\/\//i.test(u), 'base_url must be http(s)'),
  api_key_env: z.string().trim().max(128).default(''),
  models: z.union([z.string().max(5000), z.array(z.string().max(128)).max(50)]),
  prefix: z.string().trim().max(40).default(''),
});

const slug = (name: string) => `custom-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`.slice(0, 64);

export function registerCustomProviderRoutes(ctx: PluginContext) {
  const coll = () => ctx.store.collection<Stored>(COLLECTION);
  const view = (p: Stored) => ({ name: p.name, id: p.id, base_url: p.base_url, api_key_env: p.api_key_env, models: p.models, prefix: p.prefix });
  // Not awaited by the request: a reload of every plugin waits for this plugin's in-flight requests, so a request
  // that waited for a reload could deadlock with one. The change shows in /api/providers once the reload is done.
  const apply = () => {
    ctx.host.reload(OPENAI_PLUGIN).then(
      ([status]) => status?.status === 'error' && ctx.log.warn({ error: status.error }, 'provider-openai failed to reload with the custom providers'),
      (error) => ctx.log.warn({ error: String(error?.message ?? error) }, 'provider-openai reload failed'),
    );
  };

  ctx.routes.get('/custom-providers', { access: 'admin', summary: 'OpenAI-compatible servers added at run time' }, async () => ({
    providers: (await coll().all()).map(view),
  }));

  ctx.routes.post('/custom-providers', { access: 'admin', summary: 'Add or replace an OpenAI-compatible server', body: Body }, async (_c, { body }) => {
    const models = (typeof body.models === 'string' ? body.models.split(',') : body.models).map((m) => m.trim()).filter(Boolean);
    if (!models.length || models.some((m) => m.length > 128 || /\s/.test(m))) throw badRequest('models: one or more model names, comma-separated', [{ field: 'models', message: 'required' }]);
    const env = body.api_key_env.toUpperCase();
    if (env && (!KEY_NAME.test(env) || env === 'JWT_SECRET')) throw badRequest('api_key_env must be a key variable name like MYSERVER_API_KEY', [{ field: 'api_key_env', message: 'not a key name' }], 'KEY_NOT_ALLOWED');
    const id = slug(body.name);
    if (ctx.host.providers().some((p) => p.def.id === id && p.plugin !== OPENAI_PLUGIN)) throw badRequest(`A provider ${id} exists already`, undefined, 'PROVIDER_EXISTS');
    const stored: Stored = { id, name: body.name, base_url: body.base_url.replace(/\/+$/, ''), api_key_env: env, models, prefix: body.prefix };
    await coll().put(stored);
    apply();
    return { ok: true, registered: body.name, provider: view(stored) };
  });

  ctx.routes.delete('/custom-providers/:name', {
    access: 'admin',
    summary: 'Remove an OpenAI-compatible server',
    params: z.object({ name: z.string().max(80) }),
  }, async (_c, { params }) => {
    const found = (await coll().all()).find((p) => p.name === params.name || p.id === params.name);
    if (!found) throw notFound(`No custom provider ${params.name}`, 'PROVIDER_NOT_FOUND');
    await coll().delete(found.id);
    apply();
    return { ok: true, deleted: found.name };
  });
}
