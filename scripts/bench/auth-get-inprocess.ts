/**
 * The authenticated GET (`GET /api/bench/ping`, Bearer JWT, a plugin route) of two source trees and a bare Koa
 * handler, all in this one process, measured in alternating rounds with process.cpuUsage: the HTTP figures of
 * core.ts move 2–5× with the machine's load, this compares the trees under the same load at the same moment.
 * Each round sends `BENCH_REQUESTS` keep-alive requests pipelined over 8 sockets (a raw client: a few writes and
 * reads per round, the same for every side), so nearly all the CPU counted is the server's request path.
 * Run: `node --import tsx scripts/bench/auth-get-inprocess.ts <old tree> <new tree>` (`BENCH_ROUNDS`, `BENCH_REQUESTS`).
 * The trees' servers share this process (and the plugin API global the last one published); fine for one GET route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { pluginsDir, writePlugin } from '../../tests/helpers/plugins.ts';
import { percentile } from './stats.ts';

const [oldTree, newTree] = process.argv.slice(2).map((p) => path.resolve(p));
if (!oldTree || !newTree) throw new Error('usage: auth-get-inprocess.ts <old tree> <new tree>');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const SOCKETS = 8;

const plugin = `export default { name: 'bench', version: '1', setup(ctx) { ctx.routes.get('/bench/ping', () => ({ ok: true, v: '1' })); } };`;

/** Send `n` pipelined GETs on one socket; resolve when `n` responses (status lines) came back, all 200. */
function pipelined(port: number, request: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let seen = 0;
    let tail = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      const text = tail + chunk;
      let i = text.indexOf('HTTP/1.1 ');
      let last = 0;
      while (i >= 0) {
        if (text.length < i + 12) break;
        if (text.slice(i + 9, i + 12) !== '200') return reject(new Error(`status ${text.slice(i, i + 40)}`));
        seen++;
        last = i + 12;
        i = text.indexOf('HTTP/1.1 ', last);
      }
      tail = text.slice(Math.max(last, text.length - 12));
      if (seen >= n) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.write(request.repeat(n));
  });
}

interface Side {
  name: string;
  round(): Promise<number>;
  close(): Promise<void>;
}

function side(name: string, port: number, request: string, close: () => Promise<void>): Side {
  return {
    name,
    async round() {
      const per = Math.ceil(REQUESTS / SOCKETS);
      const cpu = process.cpuUsage();
      await Promise.all(Array.from({ length: SOCKETS }, () => pipelined(port, request, per)));
      const used = process.cpuUsage(cpu);
      return (used.user + used.system) / (per * SOCKETS);
    },
    close,
  };
}

async function tree(dir: string): Promise<Side> {
  const { startServer } = (await import(path.join(dir, 'core/app.ts'))) as typeof import('../../core/app.ts');
  const data = mkdtempSync(path.join(tmpdir(), 'aion-authget-'));
  const plugins = pluginsDir();
  writePlugin(plugins, 'bench', plugin);
  const s = await startServer({ DATA_DIR: data, ENV_FILE: path.join(data, '.env'), PLUGINS_DIRS: plugins, PORT: '0', HOST: '127.0.0.1', PLUGINS_WATCH: '0', LOG_LEVEL: 'warn', NODE_ENV: 'test' });
  const signup = await fetch(`${s.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `bench-${path.basename(dir)}@example.com`, password: 'correct horse battery' }) });
  const { token } = (await signup.json()) as { token: string };
  const request = `GET /api/bench/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`;
  return side(dir, s.port, request, async () => {
    await s.close();
    rmSync(data, { recursive: true, force: true });
  });
}

async function bare(): Promise<Side> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { ok: true };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  return side('bare Koa', port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', () => new Promise((r) => server.close(() => r())));
}

const sides = [await bare(), await tree(oldTree), await tree(newTree)];
for (const s of sides) for (let i = 0; i < 3; i++) await s.round(); // warm-up
const figures = sides.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order each round: no side always runs right after the same other one.
  for (let k = 0; k < sides.length; k++) {
    const i = (k + r) % sides.length;
    figures[i]!.push(await sides[i]!.round());
  }
}
const diffs = figures[2]!.map((v, i) => v - figures[1]![i]!);
for (const [i, s] of sides.entries()) console.log(`${['bare', 'old ', 'new '][i]} ${percentile(figures[i]!, 50).toFixed(2)} µs CPU a request (median of ${ROUNDS} rounds of ${REQUESTS})  ${s.name}`);
console.log(`new − old, paired median ${percentile(diffs, 50).toFixed(2)} µs; new lower in ${diffs.filter((d) => d < 0).length}/${ROUNDS} rounds`);
for (const s of sides) await s.close();
process.exit(0);
