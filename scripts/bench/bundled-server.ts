/**
 * The server as users run it (`npm start` after `npm run build`, and the container): `node <flags of npm start>
 * dist/server.mjs`, in a `TestServer` (temporary data directory, port 0) so a bench talks to it like to the tsx one.
 * Memory figures differ between the two starts: tsx keeps every function's name with a `defineProperty` per closure
 * created (a property store per closure), and `npm start`'s V8 flag caps the young generation.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, TestServer } from '../../tests/helpers/server.ts';

/** The V8 flags `npm start` gives node (package.json `scripts.start`). */
export const START_FLAGS: string[] = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start.split(/\s+/).filter((a: string) => a.startsWith('--'));

/**
 * `npm run build`'s server part (dist/server.mjs and the prebuilt plugins) of this tree or another checkout (`root`,
 * a bench's baseline); leaves `dist/` there as `npm run build` does.
 */
export function buildServer(root: string = ROOT): void {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--server-only'], { cwd: root, stdio: 'ignore' });
}

class BundledServer extends TestServer {
  override async boot(): Promise<this> {
    this.child = spawn(process.execPath, [...START_FLAGS, path.join(this.root, 'dist/server.mjs')], {
      cwd: this.root,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1',
        PLUGINS_WATCH: '0', DATA_DIR: this.dataDir, ENV_FILE: this.envFile, ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (d) => (this.output += d));
    this.url = await new Promise<string>((resolve, reject) => {
      this.child.stdout!.on('data', (d) => {
        this.output += d;
        const m = /AION listening on (http:\/\/[^\s]+)/.exec(this.output);
        if (m) resolve(m[1]);
      });
      this.child.once('exit', (code) => reject(new Error(`bundled server exited with ${code}:\n${this.output}`)));
    });
    return this;
  }
}

/** Start dist/server.mjs (built by `buildServer`) of this tree, or of `root`, with `env`. */
export function startBundledServer(env: Record<string, string> = {}, root: string = ROOT): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-bench-'));
  return new BundledServer(dataDir, path.join(dataDir, 'test.env'), env, root).boot();
}
