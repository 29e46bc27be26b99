/**
 * A production install as a user does it: the committed HEAD in a fresh folder, `npm ci --omit=dev` (scripts ignored,
 * the local npm cache preferred — no network beyond the npm registry), `npm start`, then the built panel's script
 * asset is served, and the API answers. Also: `npm start` refuses a Node older than `engines.node` with a clear
 * message. Slow (an npm install): about a minute.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../helpers/server.ts';

let dir: string;
let child: ChildProcess | undefined;
/** The Node running the tests (>= engines.node) first on PATH, so `npm start` uses it without the `node` dev dependency. */
const PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-prod-'));
  const sha = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, path.join(dir, 'app')]);
  execFileSync('git', ['-C', path.join(dir, 'app'), 'checkout', '--quiet', sha]);
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: path.join(dir, 'app'),
    env: { ...process.env, PATH, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 170_000, // inside the 180 s test timeout of `npm test`
  });
});
after(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(-child.pid, 'SIGTERM'); // npm and the server it started: the process group of our own child
    const force = setTimeout(() => process.kill(-child!.pid!, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('no dev-only package is installed', () => {
  const app = path.join(dir, 'app');
  const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8'));
  const devOnly = Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(([p, info]) => p && info.dev).map(([p]) => p);
  assert.ok(devOnly.includes('node_modules/typescript') && devOnly.includes('node_modules/node'));
  for (const p of devOnly) assert.throws(() => readFileSync(path.join(app, p, 'package.json')), `${p} must not be installed`);
});

test('npm start serves the API and the built control panel', async () => {
  const app = path.join(dir, 'app');
  child = spawn('npm', ['start'], {
    cwd: app,
    env: { PATH, HOME: process.env.HOME ?? '/tmp', PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'data'), ENV_FILE: path.join(dir, 'data.env'), PLUGINS_WATCH: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${output}`)), 60_000);
    const on = (d: Buffer) => {
      output += d;
      const m = /AION listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child!.stdout!.on('data', on);
    child!.stderr!.on('data', on);
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  assert.ok(!/control panel build failed/.test(output), output);
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  const script = /<script type="module" src="(\/app-[A-Z0-9]{8}\.js)"><\/script>/i.exec(html);
  assert.ok(script, `the built panel page, not the fallback:\n${html}`);
  const asset = await fetch(url + script[1]);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.ok((await asset.text()).length > 10_000, 'the bundle has content');
  assert.equal((await fetch(`${url}/api/health`)).status, 200);
  const v1 = await fetch(`${url}/v1/models`);
  assert.equal(v1.status, 401);
  assert.equal((await v1.json()).error.code, 'invalid_api_key');
});

test('npm start refuses a Node older than engines.node, with a clear message', () => {
  const app = path.join(dir, 'app');
  const file = path.join(app, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...pkg, engines: { node: '>=999.0.0' } }));
  try {
    execFileSync(process.execPath, ['scripts/start.mjs'], { cwd: app, env: { PATH }, stdio: 'pipe', timeout: 20_000 });
    assert.fail('start must refuse');
  } catch (error: any) {
    assert.equal(error.status, 1);
    assert.match(String(error.stderr), new RegExp(`AION needs Node\\.js >=999\\.0\\.0 .*this is Node\\.js ${process.versions.node.replace(/\./g, '\\.')}`));
  } finally {
    writeFileSync(file, JSON.stringify(pkg, null, 2));
  }
});
