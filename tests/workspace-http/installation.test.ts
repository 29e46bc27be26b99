/**
 * Executed code against the server's own files, through `POST /api/code/execute` as a plain user: writes into the
 * project tree, `node_modules` (and where it really lives), a `PLUGINS_DIRS` folder, via `/proc/self/root`, the
 * server's `/proc/<pid>/root` and the code's parent's, the host's `/etc`, raw block devices; reads of the data folder;
 * a PATH leading into the installation. None may get through, and ordinary runs (workspace, /tmp) still work. When the
 * namespace cannot be built, execution is refused with 503 `SANDBOX_UNAVAILABLE`.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let user: { token: string; user: any };
/** A PLUGINS_DIRS folder outside /tmp, so only the read-only mount (not the private /tmp) can stop the write. */
let pluginsDir: string;
const tag = `aion-pwned-${process.pid}-${Date.now()}`;
const realModules = realpathSync(path.join(ROOT, 'node_modules'));

/** Every place an attack might have left its marker (removed after, should any get through). */
const markers = () => [
  path.join(ROOT, tag),
  path.join(ROOT, 'plugins', tag),
  path.join(ROOT, 'core', `${tag}.ts`),
  path.join(realModules, tag),
  path.join(pluginsDir, tag),
  path.join('/etc', tag),
];

before(async () => {
  pluginsDir = mkdtempSync(path.join('/var/tmp', 'aion-plugins-'));
  s = await startServer({ env: { PLUGINS_DIRS: pluginsDir } });
  await s.signup(); // the admin
  user = await s.signup();
});
after(async () => {
  await s.dispose();
  for (const m of markers()) rmSync(m, { recursive: true, force: true });
  rmSync(pluginsDir, { recursive: true, force: true });
});

const exec = (language: string, code: string, token = user.token) =>
  s.api('POST', '/api/code/execute', { token, body: { language, code, timeout: 20_000 } });

/** The write targets every language tries: new files and appends to existing ones (appending nothing, so harmless). */
function targets(serverPid: number) {
  const create = [
    ['project root', path.join(ROOT, tag)],
    ['plugins folder', path.join(ROOT, 'plugins', tag)],
    ['core folder', path.join(ROOT, 'core', `${tag}.ts`)],
    ['node_modules', path.join(ROOT, 'node_modules', tag)],
    ['node_modules real path', path.join(realModules, tag)],
    ['PLUGINS_DIRS folder', path.join(pluginsDir, tag)],
    ['/proc/self/root', `/proc/self/root${ROOT}/plugins/${tag}`],
    ['/proc/<server pid>/root', `/proc/${serverPid}/root${ROOT}/plugins/${tag}`],
    ['/proc/1/root', `/proc/1/root${ROOT}/plugins/${tag}`],
    ['/etc', path.join('/etc', tag)],
  ];
  const append = [
    ['existing plugin file', path.join(ROOT, 'plugins/aion-chat/index.ts')],
    ['existing package.json', path.join(ROOT, 'package.json')],
    ['existing dependency file', path.join(ROOT, 'node_modules/koa/package.json')],
  ];
  return { create, append };
}

test('no language can write into the installation, by any path', async () => {
  const { create, append } = targets(s.child.pid!);
  const py = `
import os
create = ${JSON.stringify(create)}
append = ${JSON.stringify(append)}
for name, p in create + append:
    try:
        with open(p, 'a'):
            pass
        print('GOT', name)
    except OSError as e:
        print('NO', name, e.errno)
# the parent's root too (whatever the code's parent is inside its namespace)
try:
    with open('/proc/%d/root${ROOT}/plugins/${tag}' % os.getppid(), 'a'):
        pass
    print('GOT', 'parent root')
except OSError as e:
    print('NO', 'parent root', e.errno)
`;
  const js = `
const fs = require('fs');
for (const [name, p] of ${JSON.stringify([...create, ...append])}) {
  try { fs.closeSync(fs.openSync(p, 'a')); console.log('GOT', name); } catch (e) { console.log('NO', name, e.code); }
}
try { fs.mkdirSync(${JSON.stringify(path.join(ROOT, 'plugins', tag))}); console.log('GOT mkdir plugin'); } catch (e) { console.log('NO mkdir plugin', e.code); }
`;
  const sh = [...create, ...append].map(([name, p]) => `if ( : >> '${p}' ) 2>/dev/null; then echo 'GOT ${name}'; else echo 'NO ${name}'; fi`).join('\n')
    + `\nif mkdir '${path.join(ROOT, 'plugins', tag)}' 2>/dev/null; then echo 'GOT mkdir'; else echo 'NO mkdir'; fi`
    + `\nif cp -r '${path.join(ROOT, 'plugins/provider-echo')}' '${path.join(ROOT, 'plugins', tag)}' 2>/dev/null; then echo 'GOT cp plugin'; else echo 'NO cp plugin'; fi`;
  let attempts = 0;
  let through: string[] = [];
  for (const [language, code] of [['python', py], ['javascript', js], ['shell', sh]] as const) {
    const r = await exec(language, code);
    assert.equal(r.status, 200, r.text);
    const lines = r.body.stdout.split('\n').filter(Boolean);
    assert.ok(lines.length >= create.length + append.length, `${language} ran every attempt: ${r.text}`);
    attempts += lines.length;
    through = through.concat(lines.filter((l: string) => l.startsWith('GOT')).map((l: string) => `${language}: ${l}`));
  }
  console.log(`installation writes: ${attempts} attempts, ${through.length} got through`);
  assert.deepEqual(through, []);
  for (const m of markers()) assert.equal(existsSync(m), false, `${m} was created`);
  assert.deepEqual(readdirSync(pluginsDir), [], 'the PLUGINS_DIRS folder is untouched');
});

test('no block device, no data folder, no PATH into the installation', async () => {
  const r = await exec('shell', [
    'find /dev -type b 2>/dev/null | head -3 | sed "s/^/BLOCK /"',
    `ls -A '${s.dataDir}' 2>/dev/null | sed 's/^/DATA /'`,
    `cat '${path.join(s.dataDir, 'store/users.json')}' 2>/dev/null | head -c 200`,
    `cat '${path.join(s.dataDir, 'jwt-secret')}' 2>/dev/null | head -c 200`,
    'echo "PATH=$PATH"',
    'echo "NODE=$(command -v node)"',
    'echo ok > in-workspace.txt && cat in-workspace.txt',
    'echo tmp > /tmp/t && cat /tmp/t',
  ].join('\n'));
  assert.equal(r.status, 200, r.text);
  const out: string = r.body.stdout;
  assert.doesNotMatch(out, /^BLOCK /m, 'no raw disk reachable');
  // Only the path down to the caller's own workspace exists in the namespace.
  for (const line of out.split('\n').filter((l) => l.startsWith('DATA '))) assert.equal(line, 'DATA workspaces');
  assert.doesNotMatch(out, /passwordHash|"email"/);
  const pathLine = /^PATH=(.*)$/m.exec(out)![1];
  for (const dir of pathLine.split(':')) {
    assert.ok(!dir.startsWith(ROOT) && !dir.startsWith(realModules), `PATH entry ${dir} leads into the installation`);
  }
  const node = /^NODE=(.*)$/m.exec(out)![1];
  assert.ok(node && !node.startsWith(ROOT), `node at ${node}`);
  assert.match(out, /^ok$/m, 'the workspace is writable');
  assert.match(out, /^tmp$/m, 'the private /tmp is writable');
  const js = await exec('javascript', 'console.log(require("os").cpus().length > 0, process.execPath)');
  assert.match(js.body.stdout, /^true /, js.text);
  assert.ok(!js.body.stdout.includes(ROOT), 'node is not run from the installation');
});

test('when the namespace cannot be built, execution is refused with 503 SANDBOX_UNAVAILABLE', async () => {
  // An `unshare` that always fails, first on the server's PATH: the probe finds no namespaces.
  const bin = mkdtempSync(path.join(tmpdir(), 'aion-no-unshare-'));
  writeFileSync(path.join(bin, 'unshare'), '#!/bin/sh\nexit 1\n');
  chmodSync(path.join(bin, 'unshare'), 0o755);
  const srv = await startServer({ env: { PATH: `${bin}:${process.env.PATH}` } });
  try {
    const u = await srv.signup();
    const r = await srv.api('POST', '/api/code/execute', { token: u.token, body: { language: 'shell', code: `touch '${path.join(ROOT, tag)}'; echo ran` } });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.code, 'SANDBOX_UNAVAILABLE');
    assert.doesNotMatch(r.text, new RegExp(ROOT));
    assert.equal(existsSync(path.join(ROOT, tag)), false);
  } finally {
    await srv.dispose();
    rmSync(bin, { recursive: true, force: true });
  }
});
