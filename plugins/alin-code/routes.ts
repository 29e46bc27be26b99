/** `POST /api/code/execute` (the ALIN contract) and `GET /api/code/capabilities` (admin: what the sandbox can do here). */
import type { Context as KoaContext } from 'koa';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { ExecuteBody } from './schemas.ts';

/**
 * An AbortSignal that fires when the client goes away before the answer is sent. The response's `close` is used, not
 * the request's: since Node 16 `req` emits `close` as soon as its body has been read, which would abort every run.
 */
export function disconnectSignal(c: KoaContext): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!c.res.writableFinished) controller.abort(new Error('client disconnected'));
  };
  c.res.on('close', onClose);
  return { signal: controller.signal, dispose: () => c.res.off('close', onClose) };
}

export function registerCodeRoutes(ctx: PluginContext): void {
  ctx.routes.post('/code/execute', { summary: 'Run Python, JavaScript or shell in the caller\'s sandboxed workspace', body: ExecuteBody }, async (c, { body, user }) => {
    const { signal, dispose } = disconnectSignal(c);
    try {
      const r = await ctx.workspace.execute(user.id, { language: body.language, code: body.code, timeoutMs: body.timeout, signal });
      // As the original server: `success` says the run happened; a failing program (or a timeout: 124, timedOut) is
      // told by exitCode, still with a 200.
      return { success: true, ...r };
    } finally {
      dispose();
    }
  });

  ctx.routes.get('/code/capabilities', { access: 'admin', summary: 'Sandbox features available on this host' }, async () => ({
    success: true,
    capabilities: await ctx.workspace.capabilities(),
  }));
}
