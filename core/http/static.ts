/**
 * Serves the control panel: files of `web/dist/` (the esbuild bundle) and `index.html` for the panel's own paths only.
 * Every other path falls through to the JSON 404, so `/v1/...`, `/metrics` or `/whatever.json` never answer with the
 * page. Strict Content-Security-Policy: everything ships in the bundle, no inline script.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context, Middleware, Next } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * The panel's pages. It routes by hash (`/#/plugins`, `web/src/router.ts`), so its real page is `/`; the route ids as
 * paths (`/plugins`) are served too, for links typed or shared without the hash. Keep in step with `PAGE_LIST` in `web/src/page-list.ts`
 * (tests/interop/unknown-paths.test.ts checks it).
 */
export const PANEL_PATHS = new Set(['/', '/index.html', '/chat', '/plugins', '/providers', '/memory', '/prompts', '/channels', '/system', '/welcome', '/users', '/api-keys', '/mcp-servers', '/schedules', '/activity']);

export function serveWeb(webDir: string): Middleware {
  const roots = [path.join(webDir, 'dist'), path.join(webDir, 'public')];
  // API calls and non-GET requests (most of them) pass straight on, without an async frame of their own.
  return (ctx, next) => ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/') || ctx.path === '/api' ? next() : servePanel(roots, ctx, next));
}

async function servePanel(roots: string[], ctx: Context, next: Next): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(ctx.path).replace(/^\/+/, '');
  } catch {
    return next(); // a malformed %-escape names no file: the JSON 404, not a 500
  }
  if (rel.includes('\0') || rel.split(/[\\/]/).includes('..')) return next();
  let file: string | undefined;
  for (const root of roots) {
    const candidate = path.join(root, rel);
    if (rel && existsSync(candidate) && statSync(candidate).isFile()) {
      file = candidate;
      break;
    }
  }
  const isAsset = !!file;
  if (!file) {
    if (!PANEL_PATHS.has(ctx.path.replace(/\/+$/, '') || '/')) return next();
    file = roots.map((r) => path.join(r, 'index.html')).find((f) => existsSync(f));
    if (!file) return next();
  }
  ctx.state.panel = true;
  ctx.set('Content-Security-Policy', CSP);
  ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  ctx.set('Cache-Control', isAsset && /-[A-Z0-9]{8}\./i.test(path.basename(file)) ? 'public, max-age=31536000, immutable' : 'no-cache');
  ctx.length = statSync(file).size;
  ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
}
