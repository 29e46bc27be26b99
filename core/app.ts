/**
 * The Koa application: request ids and access logs, one error middleware, security headers, JSON bodies (koa-body),
 * the OpenAPI document, the control panel, then the plugin host's router. `startServer` is what `main.ts` and the
 * benchmarks call.
 */
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Koa from 'koa';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { parseTrustProxy } from './http/client-address.ts';
import { jsonBodies } from './http/body-parser.ts';
import { openApiDocument } from './http/openapi.ts';
import { outerLayer } from './http/outer-layer.ts';
import { serveWeb } from './http/static.ts';
import { plainJsonBodies } from './json-bodies.ts';
import { createLogger } from './log.ts';
import { metricsEndpoint } from './metrics/index.ts';
import { createRuntime, type CoreServices } from './runtime.ts';
import { configureScrubber } from './secret-scrubber.ts';

/**
 * `node:http` through `require`, not `import`: the ES module facade of a built-in reads every export, and `node:http`'s
 * `WebSocket`/`CloseEvent`/`MessageEvent` getters load undici with tls and http2 (~9 MB resident in a bare process), so
 * this file is not what loads them at start (issue #16; @koa/router's ES build and Koa's `instanceof Response` on
 * object bodies still do).
 */
const { createServer } = createRequire(import.meta.url)('node:http') as typeof http;

export interface RunningServer {
  url: string;
  port: number;
  core: CoreServices;
  server: http.Server;
  close(): Promise<void>;
}

export function createApp(core: CoreServices): Koa {
  // Koa's own proxy mode would believe X-Forwarded-* from anyone; the client address is resolved below instead.
  const app = new Koa({ proxy: false });
  plainJsonBodies(app);
  const { log, config } = core;
  const trust = parseTrustProxy(config.trustProxy);
  app.silent = true;
  // Request id, access log, metrics, errors and security headers: one layer (core/http/outer-layer.ts).
  app.use(outerLayer(log, trust));
  const routes = core.host.middleware();
  // An API call (most requests) is none of the next three layers' business — the OpenAPI document is the one `/api/`
  // path they answer; `/metrics` and the panel's files lie outside `/api/` — so it goes to the routes, the last layer,
  // directly: three layers of Koa's chain fewer (a bound `next` and a promise each) on every API request (issue #16's
  // authenticated GET). An unmatched one ends the chain as it would after the last layer. The body reader calls this
  // step itself, once a body is read (or at once for GET): one layer of the chain fewer again.
  app.use(jsonBodies(config.bodyLimit, config.chatBodyLimit, (ctx, next) => {
    const p = ctx.path;
    return p.startsWith('/api/') && p !== OPENAPI_PATH ? routes(ctx, endOfChain) : next();
  }));
  app.use((ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== OPENAPI_PATH) return next(); // no async frame for every other request
    ctx.body = openApiDocument(core.host.routes(), config.version);
  });
  app.use(metricsEndpoint({
    enabled: () => !/^(0|false|off)$/i.test(process.env.METRICS_ENABLED ?? ''),
    token: () => core.secrets.get('METRICS_TOKEN'),
    authenticate: (ctx) => core.authenticate(ctx),
  }));
  app.use(serveWeb(config.webDir));
  app.use(routes); // last: see the shortcut above
  return app;
}

/** The one `/api/` path a layer before the routes answers (the shortcut to the routes must pass it by). */
const OPENAPI_PATH = '/api/openapi.json';

/** What the `next` of the last layer does in Koa's chain (koa-compose): nothing, resolved. */
const endOfChain = (): Promise<void> => Promise.resolve();

/**
 * A client has `bodyTimeoutMs` to send a whole request, headers and body; a trickled body is answered 408 and the socket
 * closed. Node's timer covers only receiving the request (it stops once the body is in), so long SSE answers are not
 * affected. Node checks open requests every `connectionsCheckingInterval`, so that is kept well under the limit.
 */
function requestTimeouts(bodyTimeoutMs: number): http.ServerOptions {
  return {
    requestTimeout: bodyTimeoutMs,
    headersTimeout: Math.min(bodyTimeoutMs, 60_000),
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(bodyTimeoutMs / 4))),
  };
}

/**
 * Requests Node rejects before Koa sees them (a body not received in time, malformed or oversized headers) get our JSON
 * error shape instead of Node's bare status line.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'Request headers too large']
        : [400, 'Bad Request', 'BAD_REQUEST', 'Malformed request'];
  const body = JSON.stringify({ error: message, code });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Start the whole server: runtime, plugins, HTTP. */
export async function startServer(overrides: Record<string, string | undefined> = {}, existingLog?: Logger): Promise<RunningServer> {
  const config: Config = loadConfig(overrides);
  configureScrubber({ keysFile: config.envFile, values: [new TextDecoder().decode(config.jwtSecret)] });
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
  const server = createServer(requestTimeouts(config.bodyTimeoutMs), app.callback());
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
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
        await core.host.close(); // plugins release their leases (a bot stops polling) before the session closes
        await core.cluster.close();
        await core.usage.flush();
        await core.memory.close();
        await core.store.close(); // settles pending writes; on PostgreSQL also ends the pool
      })();
      return closing;
    },
  };
}
