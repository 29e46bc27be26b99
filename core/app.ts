/**
 * The Koa application: request ids and access logs, one error middleware, security headers, JSON bodies (koa-body),
 * the OpenAPI document, the control panel, then the plugin host's router. `startServer` is what `main.ts` and the
 * benchmarks call.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { errorMiddleware } from './http/error-middleware.ts';
import { jsonDepthLimit } from './http/json-depth.ts';
import { openApiDocument } from './http/openapi.ts';
import { serveWeb } from './http/static.ts';
import { createLogger } from './log.ts';
import { createRuntime, type CoreServices } from './runtime.ts';

export interface RunningServer {
  url: string;
  port: number;
  core: CoreServices;
  server: http.Server;
  close(): Promise<void>;
}

export function createApp(core: CoreServices): Koa {
  const app = new Koa({ proxy: false });
  const { log, config } = core;
  app.silent = true;
  app.use(async (ctx, next) => {
    const started = performance.now();
    ctx.state.reqId = ctx.get('x-request-id').slice(0, 64) || randomUUID();
    ctx.set('X-Request-Id', ctx.state.reqId);
    try {
      await next();
    } finally {
      if (log.isLevelEnabled('info')) {
        log.info({ reqId: ctx.state.reqId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started), plugin: ctx.state.plugin }, 'request');
      }
    }
  });
  app.use(errorMiddleware(log));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  });
  app.use(
    koaBody({
      json: true,
      jsonStrict: true,
      urlencoded: false,
      text: false,
      multipart: false,
      jsonLimit: config.bodyLimit,
      // Signature checks (Alexa, webhooks) need the exact bytes that were signed.
      includeUnparsed: true,
      parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'] as any,
    }),
  );
  app.use(jsonDepthLimit());
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/api/openapi.json') {
      ctx.body = openApiDocument(core.host.routes(), config.version);
      return;
    }
    await next();
  });
  app.use(serveWeb(config.webDir));
  app.use(core.host.middleware());
  return app;
}

/** Start the whole server: runtime, plugins, HTTP. */
export async function startServer(overrides: Record<string, string | undefined> = {}, existingLog?: Logger): Promise<RunningServer> {
  const config: Config = loadConfig(overrides);
  const log = existingLog ?? createLogger(config.logLevel);
  const core = await createRuntime(config, log);
  await core.host.start();
  try {
    // Plugins have declared their collections now: check the rest of the store files, and refuse to run on damage
    // in one a plugin marked critical.
    await core.store.loadGlobals();
    await core.store.assertCriticalIntact();
  } catch (error) {
    await core.host.close().catch(() => {});
    throw error;
  }
  const app = createApp(core);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // SSE streams may run long; idle sockets are closed by keepAliveTimeout
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    core,
    server,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await core.host.close();
        await core.usage.flush();
        await core.memory.close();
        await core.store.settle();
      })();
      return closing;
    },
  };
}
