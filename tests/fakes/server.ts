/**
 * The HTTP part shared by the fake providers: a `node:http` server on 127.0.0.1, port 0, that records every request
 * and hands it to a responder. See `index.ts` for the API the tests use.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`. */
  path: string;
  /** Lower-cased header names (Node's convention). */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`undefined` when empty or not JSON). */
  body: any;
}

/** A running fake. */
export interface FakeServer {
  /** `http://127.0.0.1:PORT` — the origin, no trailing slash. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** The newest request. */
  readonly lastRequest: RecordedRequest | undefined;
  /** How many responses are still open (a `hang` stream the client has not dropped yet). */
  openResponses(): number;
  /**
   * Resolves when the response to request `index` (default: the newest) has closed — finished, or dropped by the
   * client. Lets a test prove that an abort really cut the HTTP request.
   */
  closed(index?: number): Promise<void>;
  /** TCP connections accepted so far, and how many of them are still open: shows whether a client keeps them alive. */
  connections(): { accepted: number; open: number };
  /** Stop, cutting any stream still open (a `hang` script). */
  close(): Promise<void>;
}

/** Answers one request; `index` counts requests from 0. */
export type Responder = (req: RecordedRequest, res: ServerResponse, index: number) => Promise<void> | void;

/** Start a server that records requests and answers them with `respond`. */
export async function startFakeServer(respond: Responder): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const closes: Array<Promise<void>> = [];
  let open = 0;
  const server = createServer(async (req, res) => {
    open++;
    const closedPromise = new Promise<void>((resolve) => res.once('close', () => (open--, resolve())));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
    const index = requests.push(recorded) - 1;
    closes[index] = closedPromise;
    try {
      await respond(recorded, res, index);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(err) }));
    }
  });
  const connections = { accepted: 0, open: 0 };
  server.on('connection', (socket) => {
    connections.accepted++;
    connections.open++;
    socket.once('close', () => void connections.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get lastRequest() {
      return requests.at(-1);
    },
    openResponses: () => open,
    connections: () => ({ ...connections }),
    closed: (index = requests.length - 1) => closes[index] ?? Promise.reject(new Error(`no request #${index}`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answer with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Write a streamed answer frame by frame, `delayMs` apart; then the terminal frames and the end — unless `hang`, which
 * leaves the response open (for abort tests). Stops writing once the client has gone.
 */
export async function writeStream(
  res: ServerResponse,
  contentType: string,
  frames: string[],
  terminal: string[],
  opts: { delayMs?: number; hang?: boolean },
): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', connection: 'keep-alive' });
  const all = opts.hang ? frames : [...frames, ...terminal];
  for (const frame of all) {
    if (res.destroyed) return;
    res.write(frame);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
  }
  if (!opts.hang) res.end();
}

/** A fake provider: the server plus the environment that points its provider plugin at it. */
export interface FakeProvider extends FakeServer {
  /** Base-URL variable and a dummy key, e.g. `{ OPENAI_BASE_URL, OPENAI_API_KEY }`; assign into `process.env`. */
  env: Record<string, string>;
}

/** Attach `env` (in place, so the `lastRequest` getter keeps working). */
export function withEnv(server: FakeServer, env: Record<string, string>): FakeProvider {
  return Object.assign(server, { env });
}
