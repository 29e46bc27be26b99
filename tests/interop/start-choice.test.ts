/**
 * Which server `npm start` runs (scripts/start.mjs): the bundle of `npm run build` while it is newer than every core
 * source and than the last `npm install` (the bundle holds the host's own packages, scripts/build-host-packages.mjs,
 * so an updated Koa must not be left unused), the sources otherwise, saying why. Run in a temporary root with
 * stand-ins that print which of them started.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/server.ts';

test('npm start runs the bundle only while it is newer than core/ and the last npm install; otherwise the sources, saying so', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'aion-start-choice-'));
  try {
    for (const dir of ['scripts', 'core', 'dist', 'node_modules']) mkdirSync(path.join(root, dir));
    copyFileSync(path.join(ROOT, 'scripts/start.mjs'), path.join(root, 'scripts/start.mjs'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module', engines: { node: '>=20' } }));
    for (const pkg of ['semver', 'tsx']) symlinkSync(path.join(ROOT, 'node_modules', pkg), path.join(root, 'node_modules', pkg));
    writeFileSync(path.join(root, 'core/main.ts'), "process.stdout.write('sources');\n");
    writeFileSync(path.join(root, 'dist/server.mjs'), "process.stdout.write('bundle');\n");
    const lock = path.join(root, 'node_modules/.package-lock.json');
    writeFileSync(lock, '{}');
    const at = (file: string, seconds: number) => utimesSync(path.join(root, file), seconds, seconds);
    const start = () => {
      const out = execFileSync(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { PATH: process.env.PATH }, stdio: 'pipe', timeout: 30_000 });
      return out.toString();
    };
    const startWithNotice = () => {
      const res = spawnSync(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { PATH: process.env.PATH }, timeout: 30_000 });
      return { out: String(res.stdout), err: String(res.stderr) };
    };

    at('core/main.ts', 1_000); at('node_modules/.package-lock.json', 1_000); at('dist/server.mjs', 2_000);
    assert.equal(start(), 'bundle');

    at('node_modules/.package-lock.json', 3_000); // npm install after the build
    let got = startWithNotice();
    assert.equal(got.out, 'sources');
    assert.match(got.err, /older than core\/ or the last npm install/);

    at('node_modules/.package-lock.json', 1_000); at('core/main.ts', 3_000); // a core edit after the build
    got = startWithNotice();
    assert.equal(got.out, 'sources');

    at('core/main.ts', 1_000);
    rmSync(lock); // no npm lock in node_modules (installed otherwise): the core sources decide alone
    assert.equal(start(), 'bundle');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
