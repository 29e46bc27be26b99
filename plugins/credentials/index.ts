/**
 * Credentials vault: `credential_write`, `credential_read` (asks the user first), `credential_list`,
 * `credential_delete`, and `/api/credentials`. Per user, AES-256-GCM at rest, key outside the store; contents are
 * never logged and never part of an error message.
 */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { loadKey } from './key.ts';
import { MAX_CONTENT, Vault } from './vault.ts';

const Service = z.object({ service: z.string().max(100).describe("The service's name, e.g. 'github', 'server_ssh'") });
const Content = z.object({ content: z.string().max(MAX_CONTENT).describe('The credentials as Markdown, e.g. "- user: …\\n- password: …"') });
const Param = z.object({ service: z.string().min(1).max(100) });

export default definePlugin({
  name: 'credentials',
  version: '1.0.0',
  description: 'A per-user credentials vault, AES-256-GCM at rest with a key outside the store; credential_read asks for approval',
  async setup(ctx) {
    const key = await loadKey(ctx.host.dataDir, ctx.secrets.get('CREDENTIALS_KEY'), ctx.log);
    const vault = (userId: string) => new Vault(ctx, key, userId);

    ctx.tools.register({
      name: 'credential_write', description: 'Store credentials for a service in the encrypted vault (replaces earlier ones).',
      input: Service.merge(Content), risk: 'write', run: (a, call) => vault(call.user.id).write(a.service, a.content),
    });
    ctx.tools.register({
      name: 'credential_read', description: "Read a service's credentials from the vault. The user is asked first.",
      input: Service, risk: 'read', needsApproval: true, run: (a, call) => vault(call.user.id).read(a.service),
    });
    ctx.tools.register({
      name: 'credential_list', description: 'List the services in the vault (names only, no contents).',
      input: z.object({}), risk: 'read', run: (_a, call) => vault(call.user.id).list(),
    });
    ctx.tools.register({
      name: 'credential_delete', description: "Delete a service's credentials from the vault.",
      input: Service, risk: 'write', run: (a, call) => vault(call.user.id).delete(a.service),
    });

    ctx.routes.get('/credentials', { summary: "The services in the caller's vault (no contents)" }, (_c, { user }) => vault(user.id).list());
    ctx.routes.get('/credentials/:service', { summary: 'One service\'s credentials (the caller\'s own)', params: Param }, (c, { user, params }) => {
      c.set('cache-control', 'no-store');
      return vault(user.id).read(params.service);
    });
    ctx.routes.put('/credentials/:service', { summary: 'Store credentials for a service', params: Param, body: Content.strict() }, (_c, { user, params, body }) =>
      vault(user.id).write(params.service, body.content),
    );
    ctx.routes.delete('/credentials/:service', { summary: "Delete a service's credentials", params: Param }, (_c, { user, params }) => vault(user.id).delete(params.service));
  },
});
