/**
 * Local stand-ins for the outside web: a site with an article page and redirects, and the three search engines in
 * their wire formats — DuckDuckGo's HTML results page (`POST /html/`), SearXNG's `GET /search?format=json`, Brave's
 * `GET /res/v1/web/search` (token in `X-Subscription-Token`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const ARTICLE = `<!doctype html><html><head><title>Otters of the North</title></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<article><h1>Otters of the North</h1>
<p>River otters are semi-aquatic mammals that live along the rivers of the north. They eat fish, frogs and crayfish,
and they spend most of the day swimming, diving and playing in the cold water of the streams.</p>
<p>An otter's fur is the densest of any animal: up to a million hairs per square inch keep it warm and dry. <a href="/more">Read more</a></p>
<h2>Habitat</h2><ul><li>Rivers</li><li>Lakes</li><li>Coasts</li></ul></article>
<footer>© Otter Facts</footer><script>window.tracking = true;</script></body></html>`;

export interface StandIn {
  url: string;
  port: number;
  requests: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

export async function startWebStandIn(): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  let port = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body });
      const send = (status: number, type: string, text: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': type, ...headers });
        res.end(text);
      };
      switch (url.pathname) {
        case '/article': return send(200, 'text/html; charset=utf-8', ARTICLE);
        case '/plain': return send(200, 'text/plain', 'just text');
        case '/image': return send(200, 'image/png', 'PNG');
        case '/big': return send(200, 'text/plain', 'x'.repeat(3_000_000));
        case '/to-article': return send(302, 'text/plain', '', { location: '/article' });
        // The host is allowed as `localhost`; the target names the loopback address itself, which is not.
        case '/to-loopback': return send(302, 'text/plain', '', { location: `http://127.0.0.1:${port}/article` });
        case '/to-metadata': return send(302, 'text/plain', '', { location: 'http://169.254.169.254/latest/meta-data/' });
        case '/to-mapped': return send(302, 'text/plain', '', { location: `http://[::ffff:127.0.0.1]:${port}/article` });
        case '/loop': return send(302, 'text/plain', '', { location: '/loop' });
        case '/html/': {
          const q = new URLSearchParams(body).get('q') ?? '';
          const item = (i: number) => `<div class="result results_links web-result"><div class="links_main links_deep result__body">
            <h2 class="result__title"><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=${encodeURIComponent(`https://example.org/${i}`)}&amp;rut=abc">Result ${i} for ${q}</a></h2>
            <a class="result__snippet" href="#">Snippet <b>${i}</b> about ${q}</a></div></div>`;
          return send(200, 'text/html', `<html><body><div id="links">${[1, 2, 3, 4].map(item).join('')}</div></body></html>`);
        }
        case '/search': {
          if (url.searchParams.get('format') !== 'json') return send(403, 'text/html', 'format not allowed');
          const q = url.searchParams.get('q');
          return send(200, 'application/json', JSON.stringify({ query: q, number_of_results: 2, results: [
            { url: 'https://searx.example/1', title: `Searx 1 ${q}`, content: 'first', engine: 'wikipedia', score: 1 },
            { url: 'https://searx.example/2', title: `Searx 2 ${q}`, content: 'second', engine: 'bing', score: 0.5 },
          ] }));
        }
        case '/res/v1/web/search': {
          if (req.headers['x-subscription-token'] !== 'brave-test-key') return send(401, 'application/json', JSON.stringify({ type: 'ErrorResponse', error: { code: 'SUBSCRIPTION_TOKEN_INVALID' } }));
          const q = url.searchParams.get('q');
          return send(200, 'application/json', JSON.stringify({ type: 'search', query: { original: q }, web: { type: 'search', results: [
            { title: `Brave ${q}`, url: 'https://brave.example/1', description: 'a <strong>brave</strong> result' },
          ] } }));
        }
        default: return send(404, 'text/plain', 'not found');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, requests,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
