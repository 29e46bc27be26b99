/**
 * The browser's only way out: a forward proxy on 127.0.0.1 that Chromium is launched with (loopback not bypassed).
 * Every request — navigation, redirect hop, subresource, WebSocket, HTTPS tunnel — is checked by web-tools'
 * `outbound-address` service, and the connection is made to the very address that was checked, so Chromium's own DNS cannot be
 * raced into a private address. Each user's browser context has its own random proxy credentials, so no other local
 * program can use the proxy, and a refused host is reported to the user whose page asked for it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Built-ins through `require`, not `import`: the ES module facade of `node:http` reads every export, and its WebSocket
 * getters load undici with tls and http2 (~9 MB resident in a bare process); this plugin must not be what loads them
 * into every server at start (issue #16).
 */
const http = createRequire(import.meta.url)('node:http') as typeof Http;

export interface GuardProxy {
  server: string;
  /** Fresh credentials for one user's context. */
  credentialsFor(userId: string): { username: string; password: string };
  forget(username: string): void;
  close(): Promise<void>;
}

type Approve = (hostname: string) => Promise<{ address: string; family: number }>;
/** The checked address to connect to, or undefined when the host was refused (and reported). */
type Check = (userId: string, hostname: string) => Promise<{ address: string; family: number } | undefined>;

/** Per-context proxy credentials: random, compared in constant time, mapped to the user they were made for. */
class ProxyUsers {
  private readonly users = new Map<string, { password: Buffer; userId: string }>();

  issue(userId: string): { username: string; password: string } {
    const username = randomBytes(9).toString('hex');
    const password = randomBytes(18).toString('base64url');
    this.users.set(username, { password: Buffer.from(password), userId });
    return { username, password };
  }

  forget(username: string): void {
    this.users.delete(username);
  }

  /** The user a request's `Proxy-Authorization` belongs to, or undefined. */
  authorized(req: Http.IncomingMessage): string | undefined {
    const m = /^Basic\s+(.+)$/i.exec(String(req.headers['proxy-authorization'] ?? ''));
    if (!m) return undefined;
    const [username, password = ''] = Buffer.from(m[1], 'base64').toString().split(':');
    const entry = this.users.get(username);
    const got = Buffer.from(password);
    return entry && got.length === entry.password.length && timingSafeEqual(got, entry.password) ? entry.userId : undefined;
  }
}

/** A plain-HTTP request through the proxy: forwarded to the checked address, with the proxy's headers removed. */
async function forwardHttp(req: Http.IncomingMessage, res: Http.ServerResponse, users: ProxyUsers, check: Check) {
  const userId = users.authorized(req);
  if (!userId) return void res.writeHead(407, { 'proxy-authenticate': 'Basic realm="aion"' }).end();
  let target: URL;
  try {
    target = new URL(req.url ?? '');
    if (target.protocol !== 'http:') throw new Error('scheme');
  } catch {
    return void res.writeHead(400).end();
  }
  const pinned = await check(userId, target.hostname);
  if (!pinned) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('Blocked: private address (web_allow_private_hosts)');
  const headers = { ...req.headers };
  delete headers['proxy-authorization'];
  delete headers['proxy-connection'];
  const upstream = http.request({
    host: pinned.address, family: pinned.family, port: target.port || 80, method: req.method, path: target.pathname + target.search,
    headers: { ...headers, host: target.host }, setHost: false,
  }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  req.pipe(upstream);
}

/** A `CONNECT` tunnel (HTTPS, WebSocket over TLS): opened to the checked address only. */
async function tunnel(req: Http.IncomingMessage, socket: Duplex, head: Buffer, users: ProxyUsers, check: Check) {
  socket.on('error', () => socket.destroy());
  const userId = users.authorized(req);
  if (!userId) return void socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="aion"\r\n\r\n');
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
  const pinned = m && (await check(userId, m[1]));
  if (!m || !pinned) return void socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  const upstream = net.connect({ host: pinned.address, port: Number(m[2]), family: pinned.family }, () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
}

export async function startGuardProxy(approve: Approve, onBlocked: (userId: string, host: string) => void): Promise<GuardProxy> {
  const users = new ProxyUsers();
  const check: Check = async (userId, hostname) => {
    try {
      return await approve(hostname);
    } catch {
      onBlocked(userId, hostname);
      return undefined;
    }
  };
  const server = http.createServer((req, res) => void forwardHttp(req, res, users, check));
  server.on('connect', (req: Http.IncomingMessage, socket: Duplex, head: Buffer) => void tunnel(req, socket, head, users, check));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server: `http://127.0.0.1:${port}`,
    credentialsFor: (userId) => users.issue(userId),
    forget: (username) => users.forget(username),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
